#!/bin/bash
# The deterministic instrument end to end on Debian's linux-source-6.1:
# identical A/A boots, the declared A/A bounds, and the validation canaries
# (tests/lab/canary.sh).
# refbench: boots 2
exec "$(dirname "$0")/canary.sh" 6.1

#!/bin/bash
# The deterministic instrument end to end on Debian's linux-source-7.2:
# identical A/A boots, the declared A/A bounds, and the validation canaries
# (tests/lab/canary.sh).
# refbench: boots 2
# refbench: full -- test_canary_6.1.sh checks the instrument on 6.1
exec "$(dirname "$0")/canary.sh" 7.2

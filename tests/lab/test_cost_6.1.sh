#!/bin/bash
# The cost vector end to end on Debian's linux-source-6.1: the plugin moves
# no instruction count, repeats exactly, sees the LOCK sites a one-CPU guest
# patched away, and the cost canaries change exactly their components
# (tests/lab/cost.sh).
# refbench: boots 2
exec "$(dirname "$0")/cost.sh" 6.1

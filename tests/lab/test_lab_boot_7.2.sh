#!/bin/bash
# The lab smoke test (test_lab_boot.sh) on Debian's linux-source-7.2: every
# case and kind verified, the kernel model and paths recorded as booted.
# refbench: full -- its kernel is a second cold build (about 10 min on 2 cores); make check boots 6.1 end to end and the kabi unit tests decode 7.2's interfaces
RB_LAB_KVER=7.2 exec "$(dirname "$0")/test_lab_boot.sh"

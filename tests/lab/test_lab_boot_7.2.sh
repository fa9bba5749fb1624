#!/bin/bash
# The lab smoke test (test_lab_boot.sh) on Debian's linux-source-7.2: every
# case and kind verified, the kernel model and paths recorded as booted.
RB_LAB_KVER=7.2 exec "$(dirname "$0")/test_lab_boot.sh"

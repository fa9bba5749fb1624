#!/bin/bash
# A/A in deterministic mode on Debian's linux-source-7.2 (tests/lab/aa.sh).
exec "$(dirname "$0")/aa.sh" 7.2

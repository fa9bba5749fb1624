#!/bin/bash
# The cost vector end to end on Debian's linux-source-6.12 (bookworm), whose GUP-fast
# grabs folios (try_grab_folio_fast()): the plugin moves no instruction
# count, repeats exactly, sees the LOCK sites a one-CPU guest patched away,
# and the cost canaries change exactly their components (tests/lab/cost.sh).
# refbench: boots 2
# refbench: full -- test_cost_6.1.sh checks the cost vector end to end
exec "$(dirname "$0")/cost.sh" 6.12

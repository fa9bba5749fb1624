#!/bin/bash
# scripts/lab-image, the deterministic guest's root, in a copy of the
# repository's guest files and a cache of its own:
#   - the first call builds the archive and a memo of the files it lists;
#   - a second call answers from the memo with the same archive, and the
#     memo believes stat alone: a file touched (its ctime moves) sends it
#     back to ldd and sha256sum, which find the same contents, the same key;
#   - a listed file with other bytes gives another key, and a memo that
#     was cut short is not trusted.
. "$(dirname "$0")/lib.sh"

R=$TMP/repo
mkdir -p "$R/scripts" "$R/bench" "$R/configs"
cp "$ROOT"/scripts/{lab-image,lib.sh,guest-init,pmem-setup} "$R/scripts/"
cp -r "$ROOT/configs/suites" "$ROOT/configs/fio" "$R/configs/"
# a stand-in for refbench: any program with shared libraries
cp "$(type -P jq)" "$R/bench/refbench"
C=$TMP/cache
img() { rc_of "$R/scripts/lab-image" --cache "$C"; [ "$RC" = 0 ] || fail "lab-image exit $RC: $(cat "$TMP/se")"; cat "$TMP/so"; }

first=$(img)
[ -f "$first" ] || fail "no archive at '$first'"
grep -q 'lab-image: built' "$TMP/se" || fail "the first call did not build: $(cat "$TMP/se")"
memo=$(ls "$C"/lab/files-*)
[ "$(wc -l <"$memo")" -gt 40 ] || fail "the memo lists $(wc -l <"$memo") lines"
grep -qx "$R/bench/refbench" "$memo" || fail "the memo does not list refbench"
grep -q '/libc\.so' "$memo" || fail "the memo lists no libc: ldd's libraries are missing"
ok "first call: the archive, and a memo of the files with their shared libraries"

second=$(img)
[ "$second" = "$first" ] || fail "second call: $second, not $first"
[ ! -s "$TMP/se" ] || fail "second call said: $(cat "$TMP/se")"
# ldd on PATH that says it ran (lab-image copies programs, not ldd)
mkdir -p "$TMP/bin"
printf '#!/bin/sh\necho "$1" >>%q\nexec %q "$@"\n' "$TMP/ldd.log" "$(type -P ldd)" >"$TMP/bin/ldd"
chmod +x "$TMP/bin/ldd"
PATH=$TMP/bin:$PATH img >/dev/null
[ ! -e "$TMP/ldd.log" ] || fail "a memo hit ran ldd on $(wc -l <"$TMP/ldd.log") files"
touch "$R/scripts/guest-init"
[ "$(PATH=$TMP/bin:$PATH img)" = "$first" ] || fail "a touched guest-init changed the key"
[ -s "$TMP/ldd.log" ] || fail "a touched guest-init did not send lab-image back to ldd"
[ "$(ls "$C"/lab/files-* | wc -l)" = 2 ] || fail "a touched file did not make a second memo"
ok "second call: the same archive from the memo, no ldd; a touched file: the same key"

echo '# another byte' >>"$R/configs/suites/quick.suite"
third=$(img)
[ "$third" != "$first" ] || fail "a suite with other bytes kept the key"
grep -q 'lab-image: built' "$TMP/se" || fail "another suite did not build another archive"
m=$(ls -t "$C"/lab/files-* | head -1)
head -c 40 "$m" >"$m.cut" && mv "$m.cut" "$m"
[ "$(img)" = "$third" ] || fail "a cut memo gave another archive"
[ "$(wc -l <"$m")" -gt 40 ] || fail "the cut memo was not written again"
ok "other bytes in a listed file: another archive; a cut memo is recomputed"

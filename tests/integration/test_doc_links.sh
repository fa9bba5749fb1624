#!/bin/bash
# Every relative link in the project's Markdown pages leads somewhere: the
# file (or folder) it names exists, and a #fragment names a heading of the
# page it points at (GitHub's slugs: lower case, punctuation dropped,
# spaces as hyphens). One point per page.
. "$(dirname "$0")/lib.sh"
cd "$ROOT"

# slugs FILE: the anchor of every heading of a Markdown file, one a line
slugs() {
	sed -n '/^```/,/^```/d; s/^#\{1,6\} \{1,\}//p' "$1" |
		tr 'A-Z' 'a-z' | sed 's/[^a-z0-9 _-]//g; s/ /-/g'
}

pages=$(git ls-files --cached --others --exclude-standard '*.md')
[ -n "$pages" ] || skip "no tracked Markdown pages (not a git checkout)"
for page in $pages; do
	dir=$(dirname "$page") bad=()
	# [text](target) outside code blocks; targets with a scheme are not ours
	for link in $(sed '/^```/,/^```/d' "$page" | grep -o '\]([^) ]*)' | sed 's/^](//; s/)$//'); do
		case $link in *://*|mailto:*) continue ;; esac
		file=${link%%#*} frag=
		[ "$file" = "$link" ] || frag=${link#*#}
		if [ -z "$file" ]; then target=$page; else target=$dir/$file; fi
		if [ ! -e "$target" ]; then bad+=("$link (no $target)"); continue; fi
		[ -z "$frag" ] || [ -d "$target" ] || slugs "$target" | grep -qxF -- "$frag" ||
			bad+=("$link (no heading #$frag in $target)")
	done
	if [ ${#bad[@]} -eq 0 ]; then ok "$page"; else not_ok "$page: ${bad[*]}"; fi
done

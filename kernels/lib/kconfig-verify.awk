# kconfig-verify.awk: did every option the fragments ask for make it into
# the final .config?  (POSIX awk; runs under mawk.)
#
#   awk -v CONFIG=.config -v QUERY=table.tsv -v STATUS=out.tsv \
#       [-v VERBOSE=1] [-v LIST=1] -f kconfig-verify.awk FRAGMENT...
#
# LIST=1: only print the requested symbol names (any-of members too), one a
# line, for kconfig-query, and exit.
#
# QUERY: one line per symbol, tab-separated (kconfig-query's output):
#   NAME  defined|undefined  TYPE  VALUE  WHY_NOT_Y  WHY_ON
# STATUS (written): one line per requested option, tab-separated:
#   CONFIG_NAME  STATUS  WANT  GOT  WHERE  MESSAGE  MODE  GROUP  DEFINED
#   STATUS: ok | missing | optional-unmet | not-in-tree | alternative
#   MODE: default | optional | required;  GROUP: any-of or empty;
#   DEFINED: 1 if the tree defines the symbol, else 0
#
# Fragment notation (comment lines, ignored by merge_config.sh):
#   # refbench: optional [-- why]   the next option may end up unmet (warning)
#   # refbench: required [-- why]   the next option must also exist in the tree
#   # refbench: any-of CONFIG_A CONFIG_B ...
#                                   at least one listed option must be met;
#                                   the others are then not errors
# A directive applies to the next CONFIG line; a blank line in between is an
# error. Later fragments override earlier ones (value and directive), as
# merge_config.sh does for values.
#
# Exit: 0 all required options met, 1 some missing, 2 bad fragment syntax.

function trim(s) { sub(/^[ \t]+/, "", s); sub(/[ \t]+$/, "", s); return s }

function fail_syntax(msg) {
	printf "kconfig: %s:%d: %s\n", FILENAME, FNR, msg
	syntax_err = 1
}

function request(name, val,    prev) {
	if (name in want) {
		if (want[name] != val)
			notes[++nnotes] = sprintf("%s: %s overrides %s (%s -> %s)",
			    name, here(), where[name], shown(want[name]), shown(val))
	} else {
		order[++nreq] = name
	}
	want[name] = val
	mode[name] = (pending != "") ? pending : "default"
	where[name] = here()
	pending = ""
}

function here(   f) { f = FILENAME; sub(/.*\//, "", f); return f ":" FNR }

# How a requested or found value reads in a message.
function shown(v) { return (v == "n") ? "n" : v }

function req_text(name) {
	if (want[name] == "n")
		return "# " name " is not set"
	return name "=" want[name]
}

function met(w, g) {
	if (w == "n")
		return g == "" || g == "n"
	if (w == "m")
		return g == "m" || g == "y"
	return g == w
}

function got_text(name, g) {
	if (g != "")
		return g
	if (!(name in qtype))
		return "n"
	if (qtype[name] == "bool" || qtype[name] == "tristate")
		return "n"
	return "unset"
}

# Why a requested option is not met, from kconfig-query's answers.
function why(name, g) {
	if (want[name] == "n") {
		if (qon[name] != "")
			return qon[name]
		return "something selects it or defaults it on"
	}
	if (qwhy[name] != "")
		return qwhy[name]
	if (want[name] != "y" && want[name] != "m")
		return "kconfig chose " got_text(name, g) " (out of range, or a choice or another fragment won)"
	return "its dependencies are met, so the base config or another fragment set it to " got_text(name, g) ", or a choice picked another member"
}

# How an option the tree does not define (as a real symbol) is described.
function absent_text(name) {
	if (qdef[name] == "transitional")
		return "not in this tree (only as a transitional name: it was renamed)"
	return "not in this tree"
}

function emit(name, st, g, msg) {
	printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\n", name, st, want[name], got_text(name, g),
	    where[name], msg, mode[name], (name in group_of) ? "any-of" : "", indef[name] > STATUS
}

BEGIN {
	FS = "\n"
	if (!LIST) {
		while ((getline line < CONFIG) > 0) {
			if (line ~ /^CONFIG_[A-Za-z0-9_]+=/) {
				eq = index(line, "=")
				cfg[substr(line, 1, eq - 1)] = substr(line, eq + 1)
			} else if (line ~ /^# CONFIG_[A-Za-z0-9_]+ is not set$/) {
				n = line
				sub(/^# /, "", n)
				sub(/ is not set$/, "", n)
				cfg[n] = "n"
			}
		}
		close(CONFIG)
		if (QUERY != "") {
			while ((getline line < QUERY) > 0) {
				nf = split(line, f, "\t")
				if (nf < 2)
					continue
				n = "CONFIG_" f[1]
				qdef[n] = f[2]
				if (f[3] != "-")
					qtype[n] = f[3]
				qwhy[n] = f[5]
				qon[n] = f[6]
			}
			close(QUERY)
		}
	}
}

FNR == 1 {
	if (pending != "")
		fail_syntax("a refbench directive at the end of the previous file applies to nothing")
	pending = ""
}

/^#[ \t]*refbench:/ {
	d = $0
	sub(/^#[ \t]*refbench:[ \t]*/, "", d)
	sub(/[ \t]+--.*$/, "", d)		# "-- why" is free text
	d = trim(d)
	kind = d
	sub(/[ \t].*$/, "", kind)
	if (kind == "optional" || kind == "required") {
		if (pending != "")
			fail_syntax("two directives in a row for one option")
		pending = kind
	} else if (kind == "any-of") {
		rest = trim(substr(d, length(kind) + 1))
		cnt = split(rest, m, /[ \t]+/)
		if (cnt < 2) {
			fail_syntax("any-of needs at least two options")
			next
		}
		ngroup++
		gwhere[ngroup] = here()
		gsize[ngroup] = cnt
		for (i = 1; i <= cnt; i++) {
			s = m[i]
			if (s !~ /^CONFIG_/)
				s = "CONFIG_" s
			if (s !~ /^CONFIG_[A-Za-z0-9_]+$/) {
				fail_syntax("any-of: '" m[i] "' is not an option name")
				continue
			}
			gmem[ngroup, i] = s
			group_of[s] = ngroup
		}
	} else {
		fail_syntax("unknown refbench directive '" kind "' (optional, required, any-of)")
	}
	next
}

/^CONFIG_[A-Za-z0-9_]+=/ {
	eq = index($0, "=")
	v = substr($0, eq + 1)
	sub(/[ \t]+$/, "", v)
	request(substr($0, 1, eq - 1), v)
	next
}

/^# CONFIG_[A-Za-z0-9_]+ is not set[ \t]*$/ {
	n = $0
	sub(/^# /, "", n)
	sub(/ is not set.*$/, "", n)
	request(n, "n")
	next
}

/^[ \t]*$/ {
	if (pending != "")
		fail_syntax("the '" pending "' directive above is followed by a blank line, not by an option")
	pending = ""
	next
}

/^[ \t]*[^#]/ {
	fail_syntax("not an option line: " $0)
	next
}

END {
	if (pending != "")
		fail_syntax("a refbench directive at the end of the file applies to nothing")
	for (g = 1; g <= ngroup; g++)
		for (i = 1; i <= gsize[g]; i++)
			if (!(gmem[g, i] in want)) {
				printf "kconfig: %s: any-of lists %s, but no fragment requests a value for it\n", gwhere[g], gmem[g, i]
				syntax_err = 1
			}
	if (LIST) {
		for (i = 1; i <= nreq; i++)
			print substr(order[i], 8)
		exit syntax_err ? 2 : 0
	}
	if (syntax_err)
		exit 2
	if (STATUS == "")
		STATUS = "/dev/null"

	for (i = 1; i <= nnotes; i++)
		print "kconfig: note: " notes[i]

	# Pass 1: each option on its own.
	for (i = 1; i <= nreq; i++) {
		n = order[i]
		g = (n in cfg) ? cfg[n] : ""
		gotv[n] = g
		defined = !(n in qdef) || qdef[n] == "defined"
		if (met(want[n], g))
			st[n] = "ok"
		else if (!defined)
			st[n] = (mode[n] == "required") ? "missing" : "not-in-tree"
		else
			st[n] = (mode[n] == "optional") ? "optional-unmet" : "missing"
		indef[n] = defined
	}
	# Pass 2: any-of groups decide for their members.
	for (g = 1; g <= ngroup; g++) {
		okm = ""
		for (i = 1; i <= gsize[g]; i++)
			if (st[gmem[g, i]] == "ok")
				okm = gmem[g, i]
		gok[g] = okm
		for (i = 1; i <= gsize[g]; i++) {
			n = gmem[g, i]
			if (st[n] == "ok")
				continue
			st[n] = (okm != "") ? "alternative" : "group-missing"
		}
	}

	nok = nmiss = nopt = nabs = nalt = 0
	for (i = 1; i <= nreq; i++) {
		n = order[i]
		g = gotv[n]
		s = st[n]
		if (s == "ok") {
			nok++
			if (VERBOSE)
				printf "kconfig: ok       %s  [%s]\n", req_text(n), where[n]
			emit(n, "ok", g, "")
		} else if (s == "not-in-tree") {
			nabs++
			msg = absent_text(n) (mode[n] == "optional" ? " (optional)" : "")
			printf "kconfig: note     %s  [%s]: %s\n", req_text(n), where[n], msg
			emit(n, s, g, msg)
		} else if (s == "optional-unmet") {
			nopt++
			msg = "optional, unmet (now " got_text(n, g) "): " why(n, g)
			printf "kconfig: warning  %s  [%s]: %s\n", req_text(n), where[n], msg
			emit(n, s, g, msg)
		} else if (s == "alternative") {
			nalt++
			msg = (indef[n] ? "unmet (now " got_text(n, g) ")" : absent_text(n)) \
			    "; its alternative " gok[group_of[n]] " is met"
			if (VERBOSE || indef[n])
				printf "kconfig: note     %s  [%s]: %s\n", req_text(n), where[n], msg
			emit(n, s, g, msg)
		} else if (s == "group-missing") {
			nmiss++
			gg = group_of[n]
			msg = (indef[n] ? why(n, g) " (now " got_text(n, g) ")" : absent_text(n))
			alts = ""
			for (j = 1; j <= gsize[gg]; j++)
				if (gmem[gg, j] != n)
					alts = alts (alts == "" ? "" : ", ") gmem[gg, j]
			printf "kconfig: MISSING  %s requested but missing: %s; no alternative (%s) is met either  [%s]\n", req_text(n), msg, alts, where[n]
			emit(n, "missing", g, msg "; no alternative (" alts ") is met either")
		} else {
			nmiss++
			if (!indef[n])
				msg = "required, but " absent_text(n)
			else
				msg = why(n, g) " (now " got_text(n, g) ")"
			printf "kconfig: MISSING  %s requested but missing: %s  [%s]\n", req_text(n), msg, where[n]
			emit(n, "missing", g, msg)
		}
	}
	printf "kconfig: %d options met, %d not in this tree, %d alternatives unused, %d optional unmet, %d missing\n", nok, nabs, nalt, nopt, nmiss
	close(STATUS)
	exit nmiss ? 1 : 0
}

// SPDX-License-Identifier: GPL-2.0
/*
 * refbench plan lava-job / lava-log: one lab boot as a LAVA job
 * (docs/lava.md). scripts/plan-lava is the executor: scripts/lab prepares
 * the boot as always and hands its QEMU command line to plan-lava, which
 * has lava-job turn it into a job (configs/lava/lab-boot.yaml), submits it,
 * waits, and has lava-log bring the run home from the job's log: the
 * console as serial.log, and the guest's files, which it prints between
 * two marker lines (scripts/guest-init publish_console) because LAVA
 * returns logs, not the worker's files.
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/plan/lava.h"
#include "lib/digest.h"
#include "lib/refbench.h"

static const char usage[] =
"usage: refbench plan lava-job [options] -- QEMU ARGS...\n"
"  The LAVA job (YAML, stdout) that boots this QEMU command line, scripts/lab's\n"
"  (configs/lava/lab-boot.yaml, docs/lava.md). Options:\n"
"  --name NAME        the job's name (default: QEMU's -name)\n"
"  --minutes N        the job's timeout (default 60)\n"
"  --artifacts-url U  the kernel and initrd as U/NAME (NAME in --locals);\n"
"                     default file://PATH (a worker on this machine)\n"
"  --pmem-dir DIR     the worker's directory for the pmem backing (/dev/shm;\n"
"                     lab: the one scripts/lab chose here, for a worker here)\n"
"  --share-dir DIR    a worker directory the run's 9p share shows read-only\n"
"                     (default /var/lib/lava/dispatcher/tmp)\n"
"  --locals FILE      write what stays on this side, one 'KEY VALUE...' a\n"
"                     line: serial PATH, out DIR, kernel PATH NAME, initrd PATH NAME\n"
"usage: refbench plan lava-log LOG --serial FILE --files FILE\n"
"  From a LAVA job log (lava-run's stderr, or lavacli jobs logs --raw): the\n"
"  console into --serial, the files the guest printed (a tar.gz, its size and\n"
"  sha256 checked) into --files. Exit 0: both; 3: the log has no files (the\n"
"  boot did not get that far; serial written); 1: a damaged log.\n";

/* a QEMU option that takes no value */
static bool qemu_flag(const char *a)
{
	static const char *const flags[] = { "-nodefaults", "-no-user-config", "-no-reboot", "-nographic",
					     "-enable-kvm", "-S", "-no-shutdown", NULL };

	for (size_t i = 0; flags[i]; i++)
		if (!strcmp(a, flags[i]))
			return true;
	return false;
}

/* one word as the LAVA worker splits its command line (pexpect, shell-like) */
static int put_word(FILE *f, const char *w)
{
	bool plain = *w != '\0';

	for (const char *p = w; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr(",._=:/+@%-", *p))
			plain = false;
	if (plain)
		return fputs(w, f) < 0 ? -1 : 0;
	if (strchr(w, '\'') || strchr(w, '"') || strchr(w, '\\') || strchr(w, '\n'))
		return -1;
	return fprintf(f, "'%s'", w) < 0 ? -1 : 0;
}

/* KEY=VALUE's value in a QEMU -object/-fsdev list, or NULL */
static const char *opt_val(const char *list, const char *key, size_t *len)
{
	size_t kl = strlen(key);

	for (const char *p = list; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (!strncmp(p, key, kl) && p[kl] == '=') {
			*len = strcspn(p + kl + 1, ",");
			return p + kl + 1;
		}
	return NULL;
}

/* LIST with KEY's value replaced by VAL (and ",EXTRA" added), malloc'd */
static char *opt_replace(const char *list, const char *key, const char *val, const char *extra)
{
	size_t len;
	const char *v = opt_val(list, key, &len);
	char *out;

	if (!v || asprintf(&out, "%.*s%s%s%s%s", (int)(v - list), list, val, v + len, extra ? "," : "",
			   extra ? extra : "") < 0)
		return NULL;
	return out;
}

struct image {
	const char *path;
	char sha[65], name[128], url[4200];
};

static int image_of(struct image *im, const char *what, const char *path, const char *base)
{
	im->path = path;
	if (rb_sha256_file(path, im->sha))
		return rb_error(RB_EXIT_FAIL, "%s %s: cannot read it: %s", what, path, strerror(errno));
	snprintf(im->name, sizeof(im->name), "%.16s-%s", im->sha, !strcmp(what, "kernel") ? "bzImage" : "initrd.cpio");
	if (base)
		snprintf(im->url, sizeof(im->url), "%s/%s", base, im->name);
	else
		snprintf(im->url, sizeof(im->url), "file://%s", path);
	return 0;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t n = 0, cap = 0;

	if (!f)
		return NULL;
	for (;;) {
		if (n + 4096 + 1 > cap) {
			char *nb = realloc(buf, cap = cap ? 2 * cap : 65536);

			if (!nb) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		size_t r = fread(buf + n, 1, cap - n - 1, f);

		n += r;
		if (r == 0)
			break;
	}
	fclose(f);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

static int lava_job(int argc, char **argv)
{
	const char *name = NULL, *artifacts = NULL, *pmem_dir = "/dev/shm",
		   *share_dir = "/var/lib/lava/dispatcher/tmp", *locals = NULL, *serial = NULL, *out = NULL;
	const char *kernel = NULL, *initrd = NULL;
	long minutes = 60;
	bool icount = false;
	int i = 1, rc = RB_EXIT_FAIL;
	char *opts = NULL, *tmpl = NULL, tpath[4096];
	size_t optlen = 0;
	FILE *o = NULL;
	struct image ki, ii;

	/* every option takes a value: two words a step */
	for (; i < argc && strcmp(argv[i], "--"); i += 2) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(usage, stdout);
			return 0;
		}
		if (!v)
			return rb_error(RB_EXIT_USAGE, "lava-job: %s needs a value (refbench plan lava-job --help)", a);
		if (!strcmp(a, "--name"))
			name = v;
		else if (!strcmp(a, "--minutes")) {
			char *end;

			minutes = strtol(v, &end, 10);
			if (*end || minutes < 1 || minutes > 100000)
				return rb_error(RB_EXIT_USAGE, "lava-job: --minutes %s: give whole minutes, e.g. 60", v);
		} else if (!strcmp(a, "--artifacts-url"))
			artifacts = v;
		else if (!strcmp(a, "--pmem-dir"))
			pmem_dir = v;
		else if (!strcmp(a, "--share-dir"))
			share_dir = v;
		else if (!strcmp(a, "--locals"))
			locals = v;
		else
			return rb_error(RB_EXIT_USAGE, "lava-job: unknown option '%s' (refbench plan lava-job --help)", a);
	}
	if (i >= argc - 1)
		return rb_error(RB_EXIT_USAGE, "lava-job: give the QEMU command line after '--' (scripts/lab --dry-run "
				"prints one)");
	argv += i + 1;
	argc -= i + 1;
	{
		const char *b = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];

		if (strcmp(b, "qemu-system-x86_64"))
			return rb_error(RB_EXIT_USAGE, "lava-job: '%s' is not qemu-system-x86_64, the refbench-qemu "
					"device type's command", argv[0]);
	}
	for (int k = 1; k + 1 < argc; k++)
		if (!name && !strcmp(argv[k], "-name"))
			name = argv[k + 1];
		else if (!strcmp(argv[k], "-icount"))
			icount = true;
	if (!icount)
		return rb_error(RB_EXIT_USAGE, "lava-job: the command line has no -icount: a LAVA job boots in "
				"deterministic mode only (--mode deterministic), where another machine's boot counts "
				"the same instructions");
	if (!name)
		name = "refbench lab boot";
	if (strchr(name, '"') || strchr(name, '\\'))
		return rb_error(RB_EXIT_USAGE, "lava-job: --name must not hold quotes or backslashes");

	o = open_memstream(&opts, &optlen);
	if (!o)
		return rb_error(RB_EXIT_FAIL, "out of memory");
	for (int k = 1; k < argc; k++) {
		const char *a = argv[k], *v = k + 1 < argc ? argv[k + 1] : NULL;
		char *nv = NULL;
		size_t len;

		if (a[0] != '-' || (!qemu_flag(a) && !v)) {
			rc = rb_error(RB_EXIT_USAGE, "lava-job: QEMU argument '%s' is not an option this job knows", a);
			goto out;
		}
		if (qemu_flag(a)) {
			fprintf(o, "  - \"%s\"\n", a);
			continue;
		}
		k++;
		if (!strcmp(a, "-kernel")) {
			kernel = v;
			continue;
		}
		if (!strcmp(a, "-initrd")) {
			initrd = v;
			continue;
		}
		if (!strcmp(a, "-plugin")) {
			rc = rb_error(RB_EXIT_USAGE, "lava-job: the QEMU plugin (--attribute, --cost, ATTRIBUTE=1, COST=1) "
				 "writes its counts into a host file, which a LAVA job does not return: boot those in "
				 "the lab (scripts/plan-run)");
			goto out;
		}
		if (!strcmp(a, "-serial")) {
			if (strncmp(v, "file:", 5)) {
				rc = rb_error(RB_EXIT_USAGE, "lava-job: -serial %s: expected scripts/lab's file:PATH", v);
				goto out;
			}
			serial = v + 5;
			v = "stdio";
		} else if (!strcmp(a, "-object") && !strncmp(v, "memory-backend-file,", 20)) {
			/* a directory: QEMU makes its own temporary file there;
			 * "lab": the one the lab chose here (room in /dev/shm, or its cache) */
			const char *mp = opt_val(v, "mem-path", &len), *slash = mp ? memrchr(mp, '/', len) : NULL;
			static char labdir[4096];

			if (!strcmp(pmem_dir, "lab") && slash) {
				snprintf(labdir, sizeof(labdir), "%.*s", (int)(slash - mp), mp);
				pmem_dir = labdir;
			}
			if (!(nv = opt_replace(v, "mem-path", pmem_dir, NULL))) {
				rc = rb_error(RB_EXIT_USAGE, "lava-job: -object %s has no mem-path", v);
				goto out;
			}
			v = nv;
		} else if (!strcmp(a, "-fsdev")) {
			const char *id = opt_val(v, "id", &len);

			if (!id || len != 3 || strncmp(id, "out", 3)) {
				rc = rb_error(RB_EXIT_USAGE, "lava-job: -fsdev %s: a LAVA job boots only an initramfs root "
					 "(scripts/lab --root initramfs, the default in deterministic mode)", v);
				goto out;
			}
			if (!(nv = opt_replace(v, "path", share_dir, "readonly=on"))) {
				rc = rb_error(RB_EXIT_USAGE, "lava-job: -fsdev %s has no path", v);
				goto out;
			}
			{
				const char *p = opt_val(v, "path", &len);
				static char outdir[4096];

				snprintf(outdir, sizeof(outdir), "%.*s", (int)len, p);
				out = outdir;
			}
			v = nv;
		}
		fputs("  - \"", o);
		fputs(a, o);
		fputc(' ', o);
		if (put_word(o, v)) {
			free(nv);
			rc = rb_error(RB_EXIT_USAGE, "lava-job: QEMU argument '%s' holds a quote, a backslash or a newline", v);
			goto out;
		}
		fputs("\"\n", o);
		free(nv);
	}
	fclose(o);
	o = NULL;
	if (!kernel || !initrd || !serial || !out) {
		rc = rb_error(RB_EXIT_USAGE, "lava-job: the command line lacks %s: give scripts/lab's whole command (with "
			 "--root initramfs)", !kernel ? "-kernel" : !initrd ? "-initrd" : !serial ? "-serial file:" :
			 "-fsdev local,id=out");
		goto out;
	}
	if (image_of(&ki, "kernel", kernel, artifacts) || image_of(&ii, "initrd", initrd, artifacts))
		goto out;
	if (!(tmpl = slurp(rb_repo_path("configs/lava/lab-boot.yaml", tpath, sizeof(tpath)), NULL))) {
		rb_error(RB_EXIT_FAIL, "the job template %s: %s", tpath, strerror(errno));
		goto out;
	}
	{
		char mins[32];
		const struct {
			const char *key, *val;
		} subst[] = {
			{ "@JOB_NAME@", name }, { "@JOB_MINUTES@", mins }, { "@QEMU_OPTIONS@", opts },
			{ "@KERNEL_URL@", ki.url }, { "@KERNEL_SHA256@", ki.sha }, { "@INITRD_URL@", ii.url },
			{ "@INITRD_SHA256@", ii.sha }, { "@PMEM_DIR@", pmem_dir },
		};
		size_t nsubst = sizeof(subst) / sizeof(subst[0]);

		char *job = NULL;
		size_t joblen = 0;
		FILE *jo = open_memstream(&job, &joblen);

		if (!jo) {
			rb_error(RB_EXIT_FAIL, "out of memory");
			goto out;
		}
		snprintf(mins, sizeof(mins), "%ld", minutes);
		if (optlen && opts[optlen - 1] == '\n')
			opts[optlen - 1] = '\0';
		for (const char *p = tmpl; *p;) {
			const char *at = strchr(p, '@');
			size_t s;

			if (!at) {
				fputs(p, jo);
				break;
			}
			fwrite(p, 1, (size_t)(at - p), jo);
			for (s = 0; s < nsubst; s++)
				if (!strncmp(at, subst[s].key, strlen(subst[s].key)))
					break;
			if (s == nsubst) {
				const char *end = strchr(at + 1, '@');

				if (end && end - at > 1 && strspn(at + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") ==
				    (size_t)(end - at - 1)) {
					rb_error(RB_EXIT_FAIL, "%s names %.*s, which refbench plan lava-job does not fill",
						 tpath, (int)(end - at + 1), at);
					fclose(jo);
					free(job);
					goto out;
				}
				fputc('@', jo);
				p = at + 1;
				continue;
			}
			fputs(subst[s].val, jo);
			p = at + strlen(subst[s].key);
		}
		fclose(jo);
		fwrite(job, 1, joblen, stdout);
		free(job);
	}
	if (locals) {
		FILE *l = fopen(locals, "w");

		if (!l || fprintf(l, "serial %s\nout %s\nkernel %s %s\ninitrd %s %s\n", serial, out, ki.path, ki.name,
				  ii.path, ii.name) < 0 || fclose(l)) {
			rb_error(RB_EXIT_FAIL, "writing %s: %s", locals, strerror(errno));
			goto out;
		}
	}
	rc = fflush(stdout) ? rb_error(RB_EXIT_FAIL, "writing the job: %s", strerror(errno)) : 0;
out:
	if (o)
		fclose(o);
	free(opts);
	free(tmpl);
	return rc;
}

/*
 * A LAVA log line: '{"dt": "...", "lvl": "target", "msg": "..."}', maybe
 * after '- ' (the server's form), YAML double-quoted strings. The string
 * value of KEY, unescaped into OUT; false when KEY is absent or not a string.
 */
static bool log_field(const char *line, const char *key, char **out, size_t *outlen)
{
	char pat[32];
	const char *p;
	FILE *o;
	bool ok = true;

	snprintf(pat, sizeof(pat), "\"%s\": \"", key);
	if (!(p = strstr(line, pat)))
		return false;
	p += strlen(pat);
	if (!(o = open_memstream(out, outlen)))
		return false;
	for (; *p && *p != '"'; p++) {
		if (*p != '\\') {
			fputc(*p, o);
			continue;
		}
		switch (*++p) {
		case 'n': fputc('\n', o); break;
		case 't': fputc('\t', o); break;
		case 'r': fputc('\r', o); break;
		case 'e': fputc(27, o); break;
		case '0': fputc(0, o); break;
		case 'a': fputc(7, o); break;
		case 'b': fputc(8, o); break;
		case 'v': fputc(11, o); break;
		case 'f': fputc(12, o); break;
		case 'x': case 'u': case 'U': {
			int nd = *p == 'x' ? 2 : *p == 'u' ? 4 : 8;
			unsigned long c = 0;

			for (int d = 0; d < nd; d++) {
				if (!isxdigit((unsigned char)p[1])) {
					ok = false;
					break;
				}
				c = c * 16 + (unsigned long)(isdigit((unsigned char)p[1]) ? p[1] - '0' :
							     tolower((unsigned char)p[1]) - 'a' + 10);
				p++;
			}
			if (c < 0x80)
				fputc((int)c, o);
			else if (c < 0x800)
				fprintf(o, "%c%c", (int)(0xc0 | c >> 6), (int)(0x80 | (c & 0x3f)));
			else if (c < 0x10000)
				fprintf(o, "%c%c%c", (int)(0xe0 | c >> 12), (int)(0x80 | (c >> 6 & 0x3f)),
					(int)(0x80 | (c & 0x3f)));
			else
				fprintf(o, "%c%c%c%c", (int)(0xf0 | c >> 18), (int)(0x80 | (c >> 12 & 0x3f)),
					(int)(0x80 | (c >> 6 & 0x3f)), (int)(0x80 | (c & 0x3f)));
			break;
		}
		case '\0': ok = false; p--; break;
		default: fputc(*p, o); break;	/* \" \\ \/ and YAML's rarer ones */
		}
	}
	if (*p != '"')
		ok = false;
	fclose(o);
	if (!ok) {
		free(*out);
		*out = NULL;
	}
	return ok;
}

static int b64(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	return c == '+' ? 62 : c == '/' ? 63 : -1;
}

static const char begin_mark[] = "refbench-lab: files begin", end_mark[] = "refbench-lab: files end ";

static int lava_log(int argc, char **argv)
{
	const char *log = NULL, *serial = NULL, *files = NULL;
	FILE *in, *so, *fo = NULL;
	char *line = NULL, *msg = NULL, *lvl = NULL;
	size_t cap = 0, mlen, llen;
	int state = 0, rc = RB_EXIT_FAIL;	/* 0: before the files, 1: in them, 2: after */
	unsigned long long size = 0, want = 0;
	char want_sha[65] = "", sha[65];
	unsigned acc = 0;
	int nacc = 0;
	struct rb_sha256 *h = NULL;
	long lineno = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			fputs(usage, stdout);
			return 0;
		}
		if (!strcmp(argv[i], "--serial") && i + 1 < argc)
			serial = argv[++i];
		else if (!strcmp(argv[i], "--files") && i + 1 < argc)
			files = argv[++i];
		else if (argv[i][0] != '-' && !log)
			log = argv[i];
		else
			return rb_error(RB_EXIT_USAGE, "lava-log: unexpected '%s' (refbench plan lava-log --help)", argv[i]);
	}
	if (!log || !serial || !files)
		return rb_error(RB_EXIT_USAGE, "usage: refbench plan lava-log LOG --serial FILE --files FILE");
	if (!(in = fopen(log, "r")))
		return rb_error(RB_EXIT_FAIL, "lava-log: %s: %s", log, strerror(errno));
	if (!(so = fopen(serial, "w"))) {
		fclose(in);
		return rb_error(RB_EXIT_FAIL, "lava-log: %s: %s", serial, strerror(errno));
	}
	while (getline(&line, &cap, in) > 0) {
		lineno++;
		free(lvl);
		lvl = NULL;
		if (!log_field(line, "lvl", &lvl, &llen) || (strcmp(lvl, "target") && strcmp(lvl, "feedback")))
			continue;
		free(msg);
		msg = NULL;
		if (!log_field(line, "msg", &msg, &mlen))
			continue;	/* a mapping, not console text */
		/* the console, as scripts/lab's serial.log has it; the files are not console text */
		if (state != 1 && strncmp(msg, begin_mark, strlen(begin_mark)))
			fprintf(so, "%s\n", msg);
		if (state == 0 && !strncmp(msg, begin_mark, strlen(begin_mark))) {
			if (!(fo = fopen(files, "w")) || !(h = rb_sha256_new())) {
				rb_error(RB_EXIT_FAIL, "lava-log: %s: %s", files, strerror(errno));
				goto out;
			}
			state = 1;
			continue;
		}
		if (state != 1)
			continue;
		if (!strncmp(msg, end_mark, strlen(end_mark))) {
			if (sscanf(msg + strlen(end_mark), "%llu bytes sha256 %64[0-9a-f]", &want, want_sha) != 2) {
				rb_error(RB_EXIT_FAIL, "lava-log: %s:%ld: a files-end line without size and sha256: %s", log,
					 lineno, msg);
				goto out;
			}
			fprintf(so, "%s\n", msg);
			state = 2;
			continue;
		}
		for (char *c = msg; *c; c++) {
			int v = b64((unsigned char)*c);

			if (*c == '=' || *c == '\r' || *c == ' ')
				continue;
			if (v < 0) {
				rb_error(RB_EXIT_FAIL, "lava-log: %s:%ld: not base64 inside the guest's files (a console "
					 "message in between?): %s", log, lineno, msg);
				goto out;
			}
			acc = acc << 6 | (unsigned)v;
			if ((nacc += 6) >= 8) {
				unsigned char byte = (unsigned char)(acc >> (nacc - 8));

				nacc -= 8;
				fputc(byte, fo);
				rb_sha256_add(h, &byte, 1);
				size++;
			}
		}
	}
	if (state == 0) {
		rc = 3;
		fprintf(stderr, "lava-log: %s holds no files from the guest (it did not get to publish them)\n", log);
		goto out;
	}
	if (state == 1) {
		rb_error(RB_EXIT_FAIL, "lava-log: %s: the guest's files are cut off (no files-end line)", log);
		goto out;
	}
	rb_sha256_peek(h, sha);
	if (size != want || strcmp(sha, want_sha)) {
		rb_error(RB_EXIT_FAIL, "lava-log: %s: the files decode to %llu bytes sha256 %s; the guest sent %llu "
			 "bytes sha256 %s", log, size, sha, want, want_sha);
		goto out;
	}
	rc = 0;
out:
	if (fo && fclose(fo) && !rc)
		rc = rb_error(RB_EXIT_FAIL, "lava-log: writing %s: %s", files, strerror(errno));
	if (fclose(so) && !rc)
		rc = rb_error(RB_EXIT_FAIL, "lava-log: writing %s: %s", serial, strerror(errno));
	fclose(in);
	if (h)
		rb_sha256_free(h);
	free(line);
	free(msg);
	free(lvl);
	return rc;
}

int rb_plan_lava(int argc, char **argv)
{
	if (!strcmp(argv[0], "lava-job"))
		return lava_job(argc, argv);
	if (!strcmp(argv[0], "lava-log"))
		return lava_log(argc, argv);
	fputs(usage, stderr);
	return RB_EXIT_USAGE;
}

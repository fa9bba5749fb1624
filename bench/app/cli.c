// SPDX-License-Identifier: GPL-2.0
/* The subcommands list and info; run, mark, validate, compare and bounds
 * live with the files they own (run/cmd.c, rundir/mark.c, rundir/read.c,
 * compare/). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "app/cli.h"
#include "app/run/cmd.h"
#include "kabi/kpaths.h"
#include "lib/counters.h"
#include "lib/digest.h"
#include "lib/sysfacts.h"
#include "mem/mem.h"

/* The functions each metric crosses on the running kernel (bench/kabi/kpaths.c),
 * only those its symbols have. */
static void list_kpaths(const char *name, const struct rb_ksyms *syms, struct rb_kver v)
{
	const struct rb_kpaths_case *c = rb_kpaths_case(name);
	const struct rb_kpath *pr[64], *ab[64];
	size_t np, na;

	for (const struct rb_kpaths_metric *m = c ? c->metrics : NULL; m && m->metric; m++) {
		np = rb_kpaths_select(m->path, v, syms, pr, ab, 64, &na);
		printf("%-15s   %s:", "", m->metric);
		for (size_t i = 0; i < np; i++)
			printf("%s %s", i ? "," : "", pr[i]->fn);
		printf("%s\n", np ? "" : " (none of the declared functions is in this kernel)");
	}
}

int rb_cmd_list(int argc, char **argv)
{
	size_t n;
	const struct rb_case *const *cs = rb_cases(&n);
	bool verbose = argc > 1 && (!strcmp(argv[1], "-v") || !strcmp(argv[1], "--verbose"));
	char rel[128], why[256] = "";
	struct rb_ksyms syms = { 0 };
	struct rb_kver v = { 0, 0, 0 };
	int e = 0;

	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("usage: refbench list [-v|--verbose]\n"
		       "  the cases, their kinds and (with -v) parameters and kernel paths\n");
		return 0;
	}
	if (argc > 1 && !verbose)
		rb_die_usage("list: unknown argument '%s' (refbench list [-v])", argv[1]);
	if (verbose) {
		if (rb_kver_parse(rb_kernel_release(rel, sizeof(rel)), &v))
			snprintf(why, sizeof(why), "kernel release '%s' has no version", rel);
		else if (!rb_kpaths_unknown(v, why, sizeof(why)) &&
			 (e = rb_ksyms_booted(&syms, NULL)))
			snprintf(why, sizeof(why), "no kernel symbols in /proc/kallsyms (%s)",
				 e == -ENODATA ? "empty: CONFIG_KALLSYMS is off" : strerror(-e));
		if (why[0])
			printf("kernel paths for %s: %s\n", rel, why);
		else
			printf("kernel paths: on %s, as %s lists them\n", rel, syms.source);
	}

	for (size_t i = 0; i < n; i++) {
		printf("%-15s %s\n", cs[i]->name, cs[i]->summary);
		printf("%-15s kinds:", "");
		for (int k = 0; k < RB_KIND__COUNT; k++)
			if (cs[i]->kinds & RB_KIND_BIT(k))
				printf(" %s", k == RB_KIND_NONE ? "-" : rb_kind_name(k));
		printf("\n");
		if (!verbose)
			continue;
		printf("%-15s kernel: %s\n", "", cs[i]->kernel_paths);
		if (!why[0])
			list_kpaths(cs[i]->name, &syms, v);
		for (const struct rb_param_def *p = cs[i]->params; p && p->key; p++)
			printf("%-15s   %s=%s  %s\n", "", p->key, p->def, p->help);
	}
	rb_ksyms_free(&syms);
	return 0;
}

static void info_line(const char *what, bool ok, const char *detail)
{
	printf("  %-15s %-4s %s\n", what, ok ? "ok" : "no", detail);
}

int rb_cmd_info(int argc, char **argv)
{
	static const struct option lo[] = { RB_ENV_LONGOPTS, { "help", no_argument, NULL, 'h' },
					    { NULL, 0, NULL, 0 } };
	struct rb_env env = { .counters_mode = RB_CTR_AUTO };
	struct rb_counters ctr;
	char why[512], hex[65];
	int opt;
	size_t nc;
	const struct rb_case *const *cs = rb_cases(&nc);

	while ((opt = getopt_long(argc, argv, "h", lo, NULL)) != -1)
		if (!rb_env_option(&env, opt, optarg)) {
			printf("usage: refbench info [--fsdax DIR] [--devdax DEV]... [--dio-target PATH]\n");
			return opt == 'h' ? 0 : RB_EXIT_USAGE;
		}
	printf("refbench %s: what this machine can run\n\n", RB_GIT_SHA);
	rb_counters_open(&ctr, env.counters_mode, NULL);
	snprintf(why, sizeof(why), "%s%s%s", rb_ctr_source_name(ctr.source),
		 ctr.fallback[0] ? ": " : "", ctr.fallback);
	info_line("counters", ctr.source == RB_SRC_HW, why);
	rb_counters_close(&ctr);
	info_line("config", !rb_sha256_file("/proc/config.gz", hex),
		  rb_kconfig_opt("CONFIG_MMU") ? "/proc/config.gz" :
		  "no /proc/config.gz (CONFIG_IKCONFIG_PROC): pass --kernel-config to run");
	info_line("pdpe1gb", rb_cpu_has("pdpe1gb"), rb_cpu_has("pdpe1gb") ?
		  "1 GiB pages possible" : "CPU lacks pdpe1gb: no devdax-1g (PUD) faults");
	info_line("gup_test", rb_debugfs_feature("/sys/kernel/debug/gup_test", "GUP_TEST", why, sizeof(why)),
		  access("/sys/kernel/debug/gup_test", F_OK) ? why : "/sys/kernel/debug/gup_test");
	info_line("test_hmm", !access("/dev/hmm_dmirror0", F_OK), !access("/dev/hmm_dmirror0", F_OK) ?
		  "/dev/hmm_dmirror0" : rb_kconfig_opt("CONFIG_TEST_HMM") == 'm' ?
		  "no /dev/hmm_dmirror0: CONFIG_TEST_HMM=m not loaded (modprobe test_hmm)" :
		  "no /dev/hmm_dmirror0: CONFIG_TEST_HMM (and DEVICE_PRIVATE) off");
	info_line("null_blk", !access("/dev/nullb0", F_OK), !access("/dev/nullb0", F_OK) ? "/dev/nullb0" :
		  "no /dev/nullb0: CONFIG_BLK_DEV_NULL_BLK (modprobe null_blk) for gup-user method=dio");
	printf("\nkinds:\n");
	for (int k = RB_KIND_NONE + 1; k < RB_KIND__COUNT; k++) {
		int r;

		why[0] = '\0';
		r = rb_mem_validate(k, &env, rb_kind_gran(k), why, sizeof(why));
		info_line(rb_kind_name(k), r == RB_OK, why);
	}
	printf("\ncases (probe):\n");
	for (size_t i = 0; i < nc; i++) {
		int r = cs[i]->probe ? cs[i]->probe(&env, why, sizeof(why)) : RB_OK;
		info_line(cs[i]->name, r == RB_OK, r == RB_OK ? cs[i]->summary : why);
	}
	return 0;
}

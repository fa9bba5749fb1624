// SPDX-License-Identifier: GPL-2.0
/* Everything a number needs to be reproduced: kernel, config, host, pmem. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "app/run/provenance.h"
#include "app/rundir/cases.h"
#include "app/rundir/rundir.h"
#include "kabi/gup_test.h"
#include "kabi/kmodel.h"
#include "kabi/kpaths.h"
#include "lib/counters.h"
#include "lib/digest.h"
#include "lib/exec.h"
#include "lib/sysfacts.h"
#include "lib/userfile.h"

static struct json_object *jstr_or_null(char *s)
{
	struct json_object *o = s ? json_object_new_string(s) : NULL;

	free(s);
	return o;
}

/* Paging depth, preemption model, NR_CPUS: as booted, with how each was told. */
static void kmodel_json(struct json_object *k, const char *config_path)
{
	char *config = rb_kconfig_text(config_path, NULL);
	char *cmdline = rb_read_file("/proc/cmdline", 4096);
	char *sched = rb_read_file("/sys/kernel/debug/sched/preempt", 256);
	char why[160], model[48];
	const char *psrc = NULL;
	long nr = rb_kmodel_nr_cpus(config);
	int levels = rb_kmodel_pgtable_levels(config, rb_cpu_has("la57"),
					     why, sizeof(why));

	json_object_object_add(k, "pgtable_levels", json_object_new_int(levels));
	json_object_object_add(k, "pgtable_levels_source", json_object_new_string(why));
	rb_kmodel_preempt(config, cmdline, sched, model, sizeof(model), &psrc);
	json_object_object_add(k, "preempt", json_object_new_string(model));
	json_object_object_add(k, "preempt_source", json_object_new_string(psrc));
	json_object_object_add(k, "nr_cpus", nr > 0 ? json_object_new_int64(nr) : NULL);
	free(config);
	free(cmdline);
	free(sched);
}

static struct json_object *kernel_json(const char *kconfig, char *err, size_t n)
{
	struct json_object *k = json_object_new_object();
	struct utsname u;
	char hex[65], path[4096], why[512];
	const char *src = NULL;
	struct stat st;

	uname(&u);
	json_object_object_add(k, "release", json_object_new_string(u.release));
	json_object_object_add(k, "version", json_object_new_string(u.version));
	json_object_object_add(k, "machine", json_object_new_string(u.machine));
	json_object_object_add(k, "cmdline", jstr_or_null(rb_read_file("/proc/cmdline", 4096)));
	if (kconfig) {
		/* a build dir or a config file */
		if (!stat(kconfig, &st) && S_ISDIR(st.st_mode))
			snprintf(path, sizeof(path), "%s/.config", kconfig);
		else
			rb_strlcpy(path, kconfig, sizeof(path));
		/* a regular file of a bounded size (not /dev/zero, not a FIFO) */
		int fd = rb_user_file_open(path, RB_KCONFIG_MAX, why, sizeof(why)), e;

		if (fd >= 0)
			close(fd);
		if (fd < 0 || (e = rb_sha256_file(path, hex))) {
			snprintf(err, n, "--kernel-config %s: %s%s%s", kconfig, path, fd < 0 ? ": " : ": cannot read: ",
				 fd < 0 ? why : strerror(-e));
			json_object_put(k);
			return NULL;
		}
		src = path;
	} else if (!rb_sha256_file("/proc/config.gz", hex)) {
		src = "/proc/config.gz";
	}
	json_object_object_add(k, "config_sha256", src ? json_object_new_string(hex) : NULL);
	json_object_object_add(k, "config_source", json_object_new_string(src ? src :
		"unavailable: no /proc/config.gz (CONFIG_IKCONFIG_PROC) and no --kernel-config"));
	kmodel_json(k, kconfig ? path : NULL);
	return k;
}

static struct json_object *host_json(void)
{
	struct json_object *h = json_object_new_object(), *flags = json_object_new_object();
	char name[256] = "";
	struct sysinfo si;

	gethostname(name, sizeof(name) - 1);
	json_object_object_add(h, "hostname", json_object_new_string(name));
	json_object_object_add(h, "cpu_model", jstr_or_null(rb_cpuinfo_field("model name")));
	json_object_object_add(h, "cpus_online", json_object_new_int((int)sysconf(_SC_NPROCESSORS_ONLN)));
	if (!sysinfo(&si))
		json_object_object_add(h, "mem_bytes",
				       json_object_new_uint64((uint64_t)si.totalram * si.mem_unit));
	for (const char *const *f = (const char *const[]){ "hypervisor", "pdpe1gb", "pse", NULL }; *f; f++) {
		json_object_object_add(flags, *f, json_object_new_boolean(rb_cpu_has(*f)));
	}
	json_object_object_add(h, "cpu_flags", flags);
	json_object_object_add(h, "virtualization", json_object_new_string(
		rb_cpu_has("hypervisor") ? "guest" : "bare-metal"));
	json_object_object_add(h, "dmi_product", jstr_or_null(rb_read_file("/sys/class/dmi/id/product_name", 256)));
	json_object_object_add(h, "dmi_vendor", jstr_or_null(rb_read_file("/sys/class/dmi/id/sys_vendor", 256)));
	json_object_object_add(h, "thp_enabled",
			       jstr_or_null(rb_read_file("/sys/kernel/mm/transparent_hugepage/enabled", 256)));
	return h;
}

/* pmem as the ndctl tool sees it (namespaces, regions, dax devices). */
static struct json_object *ndctl_json(void)
{
	char *const argv[] = { "ndctl", "list", "-N", "-R", "-D", "-X", "-i", NULL };
	struct json_object *o;
	struct rb_exec ex;
	char err[256];

	if (rb_exec(argv, &(struct rb_exec_opts){ .timeout_s = 60 }, &ex, err, sizeof(err)))
		return NULL;
	o = json_tokener_parse(ex.out);
	rb_exec_free(&ex);
	return o;
}

static struct json_object *pmem_json(const struct rb_env *env)
{
	struct json_object *p = json_object_new_object(), *dd = json_object_new_array();
	struct json_object *nd = ndctl_json();

	json_object_object_add(p, "fsdax_dir", env->fsdax_dir ? json_object_new_string(env->fsdax_dir) : NULL);
	for (unsigned i = 0; i < env->n_devdax; i++)
		json_object_array_add(dd, json_object_new_string(env->devdax[i]));
	json_object_object_add(p, "devdax", dd);
	json_object_object_add(p, "ndctl", nd);
	if (!nd)
		json_object_object_add(p, "ndctl_note",
				       json_object_new_string("ndctl list gave nothing (no pmem, or ndctl missing)"));
	return p;
}

/*
 * kernel_paths {case: {metric: [names]}}: the declared functions of each
 * metric for the booted version that its symbols have; the absent ones and
 * the kind restrictions beside it. NULL (with source saying why) when the
 * symbols are unreadable or the version has no table.
 */
static void kpaths_json(struct json_object *m, struct json_object *lab)
{
	struct json_object *paths = json_object_new_object(), *absent = json_object_new_object();
	struct json_object *kinds = json_object_new_object(), *kl = NULL, *dir = NULL;
	const struct rb_kpath *pr[64], *ab[64];
	char rel[128], why[RB_ERR_LEN], map[4200] = "", map_bad[256] = "";
	struct rb_ksyms syms;
	struct rb_kver v;
	int e;

	if (lab && json_object_object_get_ex(lab, "kernel", &kl) &&
	    json_object_object_get_ex(kl, "dir", &dir))
		snprintf(map, sizeof(map), "%s/System.map", json_object_get_string(dir));
	/* lab.json names it: read only if it is a regular file of a bounded size */
	if (map[0]) {
		int fd = rb_user_file_open(map, RB_SYSTEM_MAP_MAX, map_bad, sizeof(map_bad));

		if (fd >= 0) {
			close(fd);
			map_bad[0] = '\0';
		}
	}
	if (rb_kver_parse(rb_kernel_release(rel, sizeof(rel)), &v) ||
	    rb_kpaths_unknown(v, why, sizeof(why))) {
		if (rb_kver_parse(rel, &v))
			snprintf(why, sizeof(why), "kernel release '%s' has no version", rel);
		e = -ENOENT;
	} else if ((e = rb_ksyms_booted(&syms, map[0] && !map_bad[0] ? map : NULL))) {
		snprintf(why, sizeof(why), "unavailable: no kernel symbols (/proc/kallsyms%s%s%s%s: %s)",
			 map[0] ? ", " : "", map, map_bad[0] ? ": " : "", map_bad,
			 e == -ENODATA ? "empty: CONFIG_KALLSYMS is off" : strerror(-e));
	}
	if (e) {
		json_object_put(paths);
		json_object_put(absent);
		json_object_put(kinds);
		json_object_object_add(m, "kernel_paths", NULL);
		json_object_object_add(m, "kernel_paths_source", json_object_new_string(why));
		return;
	}
	for (const struct rb_kpaths_case *c = rb_kpaths_cases; c->name; c++) {
		struct json_object *cp = json_object_new_object(), *ca = json_object_new_object();

		for (const struct rb_kpaths_metric *mt = c->metrics; mt->metric; mt++) {
			struct json_object *l = json_object_new_array(), *la = json_object_new_array();
			size_t na, np = rb_kpaths_select(mt->path, v, &syms, pr, ab, 64, &na);

			for (size_t i = 0; i < np; i++) {
				json_object_array_add(l, json_object_new_string(pr[i]->fn));
				if (pr[i]->kinds)
					json_object_object_add(kinds, pr[i]->fn,
							       json_object_new_string(pr[i]->kinds));
			}
			for (size_t i = 0; i < na; i++)
				json_object_array_add(la, json_object_new_string(ab[i]->fn));
			json_object_object_add(cp, mt->metric, l);
			json_object_object_add(ca, mt->metric, la);
		}
		json_object_object_add(paths, c->name, cp);
		json_object_object_add(absent, c->name, ca);
	}
	snprintf(why, sizeof(why), "%s (%zu symbols), table bench/kabi/kpaths.c for %u.%u",
		 syms.source, syms.symbols, v.major, v.minor);
	rb_ksyms_free(&syms);
	json_object_object_add(m, "kernel_paths", paths);
	json_object_object_add(m, "kernel_paths_source", json_object_new_string(why));
	json_object_object_add(m, "kernel_paths_kinds", kinds);
	json_object_object_add(m, "kernel_paths_absent", absent);
}

const char *rb_clock_label(enum rb_clock_unit c)
{
	return c == RB_CLOCK_ICOUNT ? "icount (guest ns = instructions)" : "CLOCK_MONOTONIC ns";
}

struct json_object *rb_provenance(const struct rb_env *env, const struct rb_prov_opts *o,
				  char *err, size_t n)
{
	struct json_object *m = json_object_new_object(), *k, *tool = json_object_new_object();
	struct json_object *cmd = json_object_new_array(), *lab = NULL;
	char t[32];

	json_object_object_add(m, "schema", json_object_new_int(RB_SCHEMA_VERSION));
	json_object_object_add(tool, "name", json_object_new_string("refbench"));
	json_object_object_add(tool, "git", json_object_new_string(RB_GIT_SHA));
	json_object_object_add(m, "refbench", tool);
	json_object_object_add(m, "started", json_object_new_string(rb_iso_time(t, sizeof(t))));
	for (int i = 0; i < o->argc; i++)
		json_object_array_add(cmd, json_object_new_string(o->argv[i]));
	json_object_object_add(m, "command", cmd);
	/* what a report on this run says of its cases, whatever they become */
	json_object_object_add(m, "cases", rb_cases_record());
	k = kernel_json(o->kconfig, err, n);
	if (!k)
		goto bad;
	json_object_object_add(m, "kernel", k);
	json_object_object_add(m, "host", host_json());
	json_object_object_add(m, "pmem", pmem_json(env));
	json_object_object_add(m, "clock", json_object_new_string(rb_clock_label(env->clock)));
	if (o->lab_json) {
		char why[512];

		lab = rb_json_load(o->lab_json, RB_USER_JSON_MAX, true, why, sizeof(why));
		if (!lab) {
			snprintf(err, n, "--lab %s: %s", o->lab_json, why);
			goto bad;
		}
		json_object_object_add(m, "lab", lab);
	}
	json_object_object_add(k, "profile", NULL);
	rb_kernel_profile_from_lab(m, lab);
	kpaths_json(m, lab);
	{
		struct json_object *a = lab ? json_object_object_get(lab, "accel") : NULL;
		json_object_object_add(m, "accel", a ? json_object_get(a) :
				       json_object_new_string(o->accel ? o->accel : "none (not in the lab)"));
	}
	return m;
bad:
	json_object_put(m);
	return NULL;
}

const char *const rb_prov_match_paths[] = {
	"suite.sha256", "clock", "accel", "counters.source",
	"host.cpu_model", "host.cpus_online",
	"lab.mode", "lab.qemu.cpu", "lab.qemu.smp",
	"lab.qemu.mem_mib", "lab.pmem.profile", "lab.pmem.size_mib", "lab.pmem.fsdax_size",
	"lab.pmem.devdax_2m_size", "lab.pmem.devdax_1g_size", "lab.pmem.fs", "lab.pmem.negative_fs",
	"pmem.fsdax_dir", "pmem.devdax",
	/* a minimal and a distro config, or 4- and 5-level paging, are not
	 * one path measured twice */
	"kernel.profile", "kernel.pgtable_levels",
	NULL,
};
/* The machine a run was measured on. A timed run is that machine's clock,
 * so timed runs of two hosts do not compare. */
const char *const rb_prov_host_paths[] = {
	"lab.host.name", "lab.host.cpu_model", NULL,
};
/* A deterministic lab run (TCG, icount) counts the instructions of a guest
 * whose every input is named here or in rb_prov_match_paths (the CPU model
 * and flags given to -cpu, the vCPUs, the memory, the pmem layout), the
 * kernel (rb_prov_arm_paths) and the suite: the QEMU that emulates it is the
 * one input left, and the host that runs that QEMU is none. */
const char *const rb_prov_det_paths[] = {
	"lab.qemu.version", "lab.qemu.icount", NULL,
};
/* Within one group, every boot must be the same kernel. */
const char *const rb_prov_arm_paths[] = {
	"kernel.release", "kernel.version", "kernel.config_sha256", NULL,
};

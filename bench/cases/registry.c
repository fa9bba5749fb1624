// SPDX-License-Identifier: GPL-2.0
/* The case table (as in perf bench): one descriptor per file in bench/cases. */
#include <string.h>

#include "lib/refbench.h"

extern const struct rb_case rb_case_null;
extern const struct rb_case rb_case_fault;
extern const struct rb_case rb_case_gup_user;
extern const struct rb_case rb_case_contention;
extern const struct rb_case rb_case_gup_fast;
extern const struct rb_case rb_case_hmm_migrate;
extern const struct rb_case rb_case_fio_dio_daxbuf;
extern const struct rb_case rb_case_fio_devdax;
extern const struct rb_case rb_case_fio_mmap_fault;

static const struct rb_case *const cases[] = {
	&rb_case_fault,
	&rb_case_gup_fast,
	&rb_case_gup_user,
	&rb_case_hmm_migrate,
	&rb_case_contention,
	&rb_case_fio_dio_daxbuf,
	&rb_case_fio_devdax,
	&rb_case_fio_mmap_fault,
	&rb_case_null,
};

const struct rb_case *const *rb_cases(size_t *n)
{
	*n = sizeof(cases) / sizeof(cases[0]);
	return cases;
}

const struct rb_case *rb_case_find(const char *name)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (!strcmp(cases[i]->name, name))
			return cases[i];
	return NULL;
}

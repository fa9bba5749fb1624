// SPDX-License-Identifier: GPL-2.0
/* libFuzzer target: the suite parser and the plan built from it (the text a
 * user writes in configs/suites/ or on the command line). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "app/run/runner.h"
#include "app/run/suite.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rb_env env = { .counters_mode = 0 };
	struct rb_suite s;
	struct rb_plan plan;
	char err[1024], *text = malloc(size + 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	memset(&s, 0, sizeof(s));
	if (!rb_suite_parse(text, "fuzz.suite", &s, err, sizeof(err)) &&
	    !rb_plan_build(&s, &env, &plan, err, sizeof(err)))
		rb_plan_free(&plan);
	rb_suite_free(&s);
	free(text);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0
/* libFuzzer target: the parser of fio's --output-format=json (text from
 * another program, possibly with lines before the JSON). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cases/fio/fio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rb_fio_result r;
	char err[1024], *text = malloc(size + 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	memset(&r, 0, sizeof(r));
	if (!rb_fio_parse(text, &r, err, sizeof(err))) {
		/* what the cases read from a parsed result */
		(void)rb_fio_opt(&r, "rw");
		(void)rb_fio_ios(&r);
		(void)rb_fio_iops(&r);
		(void)rb_fio_bw_gbs(&r);
		(void)rb_fio_lat_mean(&r);
		(void)rb_fio_lat_p99(&r);
	}
	rb_fio_result_free(&r);
	free(text);
	return 0;
}

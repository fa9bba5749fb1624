/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sha256, as 64 hex digits and a NUL: of a buffer, of a file (gzip files
 * hashed decompressed: /proc/config.gz names the config it holds), and a
 * running one that a growing file (samples.jsonl) is certified with.
 */
#ifndef REFBENCH_DIGEST_H
#define REFBENCH_DIGEST_H

#include <stddef.h>

int rb_sha256_buf(const void *buf, size_t len, char hex[65]);
int rb_sha256_file(const char *path, char hex[65]);

struct rb_sha256;
/* NULL when out of memory. */
struct rb_sha256 *rb_sha256_new(void);
void rb_sha256_add(struct rb_sha256 *s, const void *buf, size_t len);
/* The digest of everything added so far; adding may go on. "" on error. */
void rb_sha256_peek(const struct rb_sha256 *s, char hex[65]);
void rb_sha256_free(struct rb_sha256 *s);

#endif

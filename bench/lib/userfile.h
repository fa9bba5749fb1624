/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading a file the user named (a run's meta.json, --merge-json, --bounds,
 * --lab, --kernel-config, a suite): one bounded read for all of them. The
 * file must be a regular file (a symlink is followed, and what it points at
 * must be one: /dev/zero and FIFOs are refused) of at most max bytes, so a
 * wrong name cannot make refbench read for ever or fill memory. Errors say
 * which thing went wrong, with the errno where there is one.
 */
#ifndef REFBENCH_USERFILE_H
#define REFBENCH_USERFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <json-c/json.h>

/* Limits for what a user can name: JSON records and text inputs are small;
 * samples.jsonl of a long run is the largest thing refbench reads back. */
#define RB_USER_JSON_MAX	(16u << 20)
#define RB_USER_TEXT_MAX	(1u << 20)
#define RB_SAMPLES_MAX		(1u << 30)
/* a kernel's System.map (an allyesconfig's is some 20 MiB) */
#define RB_SYSTEM_MAP_MAX	(256u << 20)
/* a kernel .config, plain or gzip (an allyesconfig is under 1 MiB) */
#define RB_KCONFIG_MAX		(16u << 20)

/* Opens path for reading if it is a regular file of at most max bytes:
 * the fd, or -errno with err (strerror(errno), "not a regular
 * file (a character device)", "N bytes, more than the M this reads"). */
int rb_user_file_open(const char *path, size_t max, char *err, size_t n);
/* The whole file, NUL-terminated (*len without it): 0, or -errno and err
 * as above. *buf is the caller's to free. */
int rb_user_file_read(const char *path, size_t max, char **buf, size_t *len,
		      char *err, size_t n);

/* Checks JSON text as refbench accepts it: valid UTF-8 and no NUL inside
 * a string (a "\u0000" escape hides what follows it from every reader in
 * C). 0, or -EILSEQ with err saying where. */
int rb_json_text_check(const char *buf, size_t len, char *err, size_t n);
/* Parses JSON text (strict, UTF-8 checked, nothing after the value);
 * want_object: it must be an object. NULL with err saying why. */
struct json_object *rb_json_parse(const char *buf, size_t len, bool want_object,
				  char *err, size_t n);
/* rb_user_file_read + rb_json_parse, at most max bytes; errno is set
 * (ENOENT, EACCES, ..., EINVAL for a file that is not what it should be)
 * when it returns NULL. err does not name the path: callers do. */
struct json_object *rb_json_load(const char *path, size_t max, bool want_object,
				 char *err, size_t n);

/* Removes dir and everything in it, symlinks not followed: an output
 * written into a temp dir that failed leaves nothing behind. */
void rb_remove_tree(const char *dir);

#endif

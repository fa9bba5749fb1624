// SPDX-License-Identifier: GPL-2.0
/* The one bounded read of a file the user named (lib/userfile.h). */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/refbench.h"
#include "lib/userfile.h"

static const char *file_type(mode_t m)
{
	return S_ISDIR(m) ? "a directory" : S_ISCHR(m) ? "a character device" :
	       S_ISBLK(m) ? "a block device" : S_ISFIFO(m) ? "a FIFO (pipe)" :
	       S_ISSOCK(m) ? "a socket" : "not a plain file";
}

int rb_user_file_open(const char *path, size_t max, char *err, size_t n)
{
	struct stat st;
	int fd, e;

	/* what it is, before it is opened: opening some devices does
	 * something (a watchdog, a tape); fstat below checks it again */
	if (!stat(path, &st) && !S_ISREG(st.st_mode)) {
		snprintf(err, n, "not a regular file (%s)", file_type(st.st_mode));
		return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
	}
	/* O_NONBLOCK: a FIFO put there since must not wait for a writer */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		e = errno;
		snprintf(err, n, "%s", strerror(e));
		return -e;
	}
	if (fstat(fd, &st)) {
		e = errno;
		snprintf(err, n, "cannot stat: %s", strerror(e));
		close(fd);
		return -e;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, n, "not a regular file (%s)", file_type(st.st_mode));
		close(fd);
		return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
	}
	if ((unsigned long long)st.st_size > max) {
		snprintf(err, n, "%lld bytes, more than the %zu this reads", (long long)st.st_size, max);
		close(fd);
		return -EFBIG;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	return fd;
}

int rb_user_file_read(const char *path, size_t max, char **buf, size_t *len,
		      char *err, size_t n)
{
	size_t cap, got = 0;
	char *b;
	int fd, e = 0;

	*buf = NULL;
	*len = 0;
	if ((fd = rb_user_file_open(path, max, err, n)) < 0)
		return fd;
	{
		struct stat st;

		cap = !fstat(fd, &st) && st.st_size > 0 ? (size_t)st.st_size + 1 : 4096;
	}
	if (!(b = malloc(cap + 1))) {
		close(fd);
		snprintf(err, n, "cannot read: %s", strerror(ENOMEM));
		return -ENOMEM;
	}
	/* the size can change while it is read (a file still being written):
	 * never more than max bytes whatever it does */
	for (;;) {
		ssize_t r;

		if (got == cap) {
			char *nb;

			if (cap > max) {
				e = EFBIG;
				break;
			}
			cap = cap * 2 > max + 1 ? max + 1 : cap * 2;
			if (!(nb = realloc(b, cap + 1))) {
				e = ENOMEM;
				break;
			}
			b = nb;
		}
		r = read(fd, b + got, cap - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			e = errno;
			break;
		}
		if (!r)
			break;
		got += (size_t)r;
	}
	close(fd);
	if (!e && got > max)
		e = EFBIG;
	if (e) {
		if (e == EFBIG)
			snprintf(err, n, "grew past the %zu bytes this reads", max);
		else
			snprintf(err, n, "cannot read: %s", strerror(e));
		free(b);
		return -e;
	}
	b[got] = '\0';
	*buf = b;
	*len = got;
	return 0;
}

/* Length of the valid UTF-8 sequence at s (at most left bytes), 0 if none. */
static size_t utf8_seq(const unsigned char *s, size_t left)
{
	unsigned char c = s[0];
	size_t need;
	unsigned cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		need = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		need = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		need = 4, cp = c & 0x07;
	else
		return 0;
	if (left < need)
		return 0;
	for (size_t i = 1; i < need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* overlong forms, surrogates, beyond U+10FFFF */
	if ((need == 3 && cp < 0x800) || (need == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return need;
}

int rb_json_text_check(const char *buf, size_t len, char *err, size_t n)
{
	const unsigned char *s = (const unsigned char *)buf;
	bool in_str = false;

	for (size_t i = 0; i < len;) {
		size_t k = utf8_seq(s + i, len - i);

		if (!k) {
			snprintf(err, n, "invalid UTF-8 at byte %zu (0x%02x): JSON text is UTF-8", i, s[i]);
			return -EILSEQ;
		}
		if (s[i] == '\0') {
			snprintf(err, n, "a NUL byte at byte %zu", i);
			return -EILSEQ;
		}
		if (in_str && s[i] == '\\' && i + 1 < len) {
			if (s[i + 1] == 'u' && len - i >= 6 && !memcmp(s + i + 2, "0000", 4)) {
				snprintf(err, n, "a NUL (\\u0000) inside a string at byte %zu: it would "
					 "hide the rest of the string", i);
				return -EILSEQ;
			}
			i += 2;
			continue;
		}
		if (s[i] == '"')
			in_str = !in_str;
		i += k;
	}
	return 0;
}

static const char *json_type_words(struct json_object *o)
{
	switch (json_object_get_type(o)) {
	case json_type_null: return "null";
	case json_type_boolean: return "a boolean";
	case json_type_double: case json_type_int: return "a number";
	case json_type_string: return "a string";
	case json_type_array: return "an array";
	case json_type_object: return "an object";
	}
	return "something else";
}

struct json_object *rb_json_parse(const char *buf, size_t len, bool want_object,
				  char *err, size_t n)
{
	struct json_tokener *tok;
	struct json_object *o;
	enum json_tokener_error je;
	size_t end;

	if (rb_json_text_check(buf, len, err, n))
		return NULL;
	if (len > (size_t)INT32_MAX) {
		snprintf(err, n, "too large to parse (%zu bytes)", len);
		return NULL;
	}
	if (!(tok = json_tokener_new())) {
		snprintf(err, n, "cannot parse: %s", strerror(ENOMEM));
		return NULL;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, buf, (int)len);
	je = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (je != json_tokener_success) {
		snprintf(err, n, "not JSON: %s at byte %zu", je == json_tokener_continue ?
			 "the text ends inside a value" : json_tokener_error_desc(je), end);
		json_object_put(o);
		return NULL;
	}
	for (; end < len && strchr(" \t\r\n", buf[end]); end++)
		;
	if (end < len) {
		snprintf(err, n, "not one JSON value: more text at byte %zu", end);
		json_object_put(o);
		return NULL;
	}
	if (want_object && !json_object_is_type(o, json_type_object)) {
		snprintf(err, n, "JSON, but %s where an object is meant", json_type_words(o));
		json_object_put(o);
		return NULL;
	}
	return o;
}

struct json_object *rb_json_load(const char *path, size_t max, bool want_object,
				 char *err, size_t n)
{
	struct json_object *o;
	size_t len;
	char *buf;
	int r = rb_user_file_read(path, max, &buf, &len, err, n);

	if (r) {
		errno = -r;
		return NULL;
	}
	o = rb_json_parse(buf, len, want_object, err, n);
	free(buf);
	if (!o)
		errno = EINVAL;
	return o;
}

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb, (void)flag, (void)ftw;
	return remove(p);
}

void rb_remove_tree(const char *dir)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

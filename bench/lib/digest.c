// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>

#include <openssl/evp.h>
#include <zlib.h>

#include "lib/digest.h"

static void hex_of(const unsigned char *d, unsigned len, char hex[65])
{
	for (unsigned i = 0; i < len && i < 32; i++)
		sprintf(hex + 2 * i, "%02x", d[i]);
	hex[64] = '\0';
}

int rb_sha256_buf(const void *buf, size_t len, char hex[65])
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned dl = 0;

	if (!EVP_Digest(buf, len, d, &dl, EVP_sha256(), NULL))
		return -EIO;
	hex_of(d, dl, hex);
	return 0;
}

/* gzopen reads plain files transparently, so one path serves both. */
int rb_sha256_file(const char *path, char hex[65])
{
	gzFile f = gzopen(path, "rb");
	EVP_MD_CTX *ctx;
	unsigned char buf[1 << 15], d[EVP_MAX_MD_SIZE];
	unsigned dl = 0;
	int len, err = 0;

	if (!f)
		return -errno ? -errno : -EIO;
	ctx = EVP_MD_CTX_new();
	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	while ((len = gzread(f, buf, sizeof(buf))) > 0)
		EVP_DigestUpdate(ctx, buf, (size_t)len);
	if (len < 0)
		err = -EIO;
	EVP_DigestFinal_ex(ctx, d, &dl);
	EVP_MD_CTX_free(ctx);
	gzclose(f);
	if (!err)
		hex_of(d, dl, hex);
	return err;
}

struct rb_sha256 *rb_sha256_new(void)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	if (ctx && !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL)) {
		EVP_MD_CTX_free(ctx);
		ctx = NULL;
	}
	return (struct rb_sha256 *)ctx;
}

void rb_sha256_add(struct rb_sha256 *s, const void *buf, size_t len)
{
	EVP_DigestUpdate((EVP_MD_CTX *)s, buf, len);
}

void rb_sha256_peek(const struct rb_sha256 *s, char hex[65])
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned dl = 0;
	EVP_MD_CTX *c = EVP_MD_CTX_new();

	hex[0] = '\0';
	/* a copy: the running digest goes on */
	if (c && EVP_MD_CTX_copy_ex(c, (const EVP_MD_CTX *)s) && EVP_DigestFinal_ex(c, d, &dl))
		hex_of(d, dl, hex);
	EVP_MD_CTX_free(c);
}

void rb_sha256_free(struct rb_sha256 *s)
{
	EVP_MD_CTX_free((EVP_MD_CTX *)s);
}

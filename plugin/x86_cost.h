/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the cost vector needs to know about x86-64 and its kernel, apart from
 * QEMU: which instructions are atomic read-modify-writes, where the kernel's
 * LOCK sites are (vmlinux's .smp_locks), where the vmemmap (struct page) lives,
 * and a set of distinct cache lines per window. Header-only so that the plugin
 * and the unit tests (tests/unit/test_cost.c) compile the same code.
 */
#ifndef REFBENCH_X86_COST_H
#define REFBENCH_X86_COST_H

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define RB_LINE_SHIFT 6		/* 64-byte cache lines */

/*
 * The vmemmap with KASLR off (the lab boots nokaslr): vmemmap_base is then
 * __VMEMMAP_BASE_L4 or __VMEMMAP_BASE_L5, the region as large as
 * Documentation/arch/x86/x86_64/mm.rst gives it (1 TB, 512 TB). Either one
 * is counted: under 4-level paging the 5-level range is not canonical, and
 * under 5-level paging the 4-level range lies in the KASAN shadow, which the
 * lab kernels do not have. compare refuses the split for runs whose meta.json
 * says KASLR or KASAN was on.
 */
#define RB_VMEMMAP_L4_BASE 0xffffea0000000000ull
#define RB_VMEMMAP_L4_SIZE (1ull << 40)
#define RB_VMEMMAP_L5_BASE 0xffd4000000000000ull
#define RB_VMEMMAP_L5_SIZE (1ull << 49)

static inline bool rb_in_vmemmap(uint64_t va)
{
	return va - RB_VMEMMAP_L4_BASE < RB_VMEMMAP_L4_SIZE || va - RB_VMEMMAP_L5_BASE < RB_VMEMMAP_L5_SIZE;
}

/* The legacy prefixes of an instruction: their count, and whether LOCK is one. */
static inline size_t rb_x86_prefixes(const uint8_t *d, size_t n, bool *lock)
{
	size_t i = 0;

	*lock = false;
	for (; i < n; i++) {
		switch (d[i]) {
		case 0xf0:
			*lock = true;
			continue;
		case 0xf2: case 0xf3: case 0x2e: case 0x36: case 0x3e: case 0x26:
		case 0x64: case 0x65: case 0x66: case 0x67:
			continue;
		}
		break;
	}
	return i;
}

/*
 * An atomic read-modify-write as a multi-CPU machine executes it: a LOCK
 * prefix in the bytes, or an XCHG with a memory operand (atomic without
 * one). lock_site tells whether an address is one of the kernel's LOCK
 * sites, whose prefix a one-CPU kernel rewrote to DS (uniproc patching).
 */
static inline bool rb_x86_atomic(const uint8_t *d, size_t n, uint64_t va,
				 bool (*lock_site)(uint64_t va))
{
	bool lock;
	size_t i = rb_x86_prefixes(d, n, &lock);

	if (lock)
		return true;
	for (size_t k = 0; lock_site && k < i; k++)
		if (lock_site(va + k))
			return true;
	if (i < n && (d[i] & 0xf0) == 0x40)	/* REX */
		i++;
	return i + 1 < n && (d[i] == 0x86 || d[i] == 0x87) && (d[i + 1] >> 6) != 3;
}

static inline int rb_cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static inline bool rb_u64_find(const uint64_t *v, size_t n, uint64_t key)
{
	return n && bsearch(&key, v, n, sizeof(*v), rb_cmp_u64);
}

static inline int rb_pread_all(int fd, void *buf, size_t len, uint64_t off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t r = pread(fd, (char *)buf + done, len - done, (off_t)(off + done));

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? -errno : -EIO;
		done += (size_t)r;
	}
	return 0;
}

#define RB_SMP_LOCKS_MAX (1u << 22)	/* entries; 6.1-7.2 lab kernels have ~10^4 */

/*
 * The kernel's LOCK sites from vmlinux's .smp_locks: an array of s32, each
 * the offset from itself to a LOCK prefix. *out gets them sorted. 0, or
 * -ENOENT (no .smp_locks: an SMP=n build, whose atomics have no LOCK at
 * all), -ENOEXEC (not an x86-64 ELF), -EFBIG, -errno. why names the step.
 */
static inline int rb_smp_locks_read(const char *path, uint64_t **out, size_t *nout, const char **why)
{
	Elf64_Ehdr eh;
	Elf64_Shdr *sh = NULL;
	char *names = NULL;
	int32_t *rel = NULL;
	int fd, e;
	struct stat st;

	*out = NULL;
	*nout = 0;
	*why = "open";
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -errno;
	*why = "not a regular file";
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	*why = "ELF header";
	if ((e = rb_pread_all(fd, &eh, sizeof(eh), 0)))
		goto out;
	e = -ENOEXEC;
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_ident[EI_DATA] != ELFDATA2LSB || eh.e_machine != EM_X86_64 ||
	    eh.e_shentsize != sizeof(Elf64_Shdr) || !eh.e_shnum || eh.e_shnum > 65000 ||
	    eh.e_shstrndx >= eh.e_shnum)
		goto out;
	*why = "section headers";
	e = -ENOMEM;
	if (!(sh = calloc(eh.e_shnum, sizeof(*sh))))
		goto out;
	if ((e = rb_pread_all(fd, sh, eh.e_shnum * sizeof(*sh), eh.e_shoff)))
		goto out;
	*why = "section names";
	e = -EFBIG;
	if (sh[eh.e_shstrndx].sh_size > (16u << 20) || (uint64_t)st.st_size < sh[eh.e_shstrndx].sh_offset +
	    sh[eh.e_shstrndx].sh_size)
		goto out;
	e = -ENOMEM;
	if (!(names = calloc(1, sh[eh.e_shstrndx].sh_size + 1)))
		goto out;
	if ((e = rb_pread_all(fd, names, sh[eh.e_shstrndx].sh_size, sh[eh.e_shstrndx].sh_offset)))
		goto out;
	*why = "no .smp_locks section";
	e = -ENOENT;
	for (unsigned i = 0; i < eh.e_shnum; i++) {
		const Elf64_Shdr *s = &sh[i];
		size_t n = s->sh_size / 4;

		if (s->sh_name >= sh[eh.e_shstrndx].sh_size || strcmp(names + s->sh_name, ".smp_locks"))
			continue;
		*why = ".smp_locks";
		e = -EFBIG;
		if (n > RB_SMP_LOCKS_MAX || (uint64_t)st.st_size < s->sh_offset + s->sh_size)
			goto out;
		e = -ENOMEM;
		if (!(rel = malloc(n * 4 + 4)) || !(*out = malloc(n * sizeof(**out) + 8)))
			goto out;
		if ((e = rb_pread_all(fd, rel, n * 4, s->sh_offset)))
			goto out;
		for (size_t k = 0; k < n; k++)
			if (rel[k])	/* 0: an entry the kernel skips too */
				(*out)[(*nout)++] = s->sh_addr + 4 * k + (uint64_t)(int64_t)rel[k];
		qsort(*out, *nout, sizeof(**out), rb_cmp_u64);
		e = 0;
		break;
	}
out:
	if (e) {
		free(*out);
		*out = NULL;
		*nout = 0;
	}
	free(rel);
	free(names);
	free(sh);
	close(fd);
	return e;
}

/*
 * Distinct cache lines per window: open addressing on line numbers, each
 * slot tagged with the window it was filled in, so a new window starts
 * with an empty set at no cost. A slot also says whether the line was
 * reached through the vmemmap.
 */
struct rb_lineset {
	uint64_t *key;		/* line + 1; 0: never used */
	uint32_t *gen;		/* window of the entry (bit 31: a vmemmap line) */
	size_t cap, n, n_pstruct;
	uint32_t cur;
};

#define RB_GEN_PSTRUCT 0x80000000u

static inline uint64_t rb_line_hash(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	return x;
}

static inline int rb_lineset_init(struct rb_lineset *s, size_t cap)
{
	memset(s, 0, sizeof(*s));
	s->key = calloc(cap, sizeof(*s->key));
	s->gen = calloc(cap, sizeof(*s->gen));
	s->cap = cap;
	s->cur = 1;
	return s->key && s->gen ? 0 : -ENOMEM;
}

static inline void rb_lineset_free(struct rb_lineset *s)
{
	free(s->key);
	free(s->gen);
	memset(s, 0, sizeof(*s));
}

/* A new, empty window. */
static inline void rb_lineset_next(struct rb_lineset *s)
{
	s->n = s->n_pstruct = 0;
	if (++s->cur == RB_GEN_PSTRUCT) {	/* wrapped: clear the tags */
		memset(s->gen, 0, s->cap * sizeof(*s->gen));
		memset(s->key, 0, s->cap * sizeof(*s->key));
		s->cur = 1;
	}
}

static inline size_t rb_lineset_slot(const struct rb_lineset *s, uint64_t k)
{
	size_t m = s->cap - 1, i = rb_line_hash(k) & m;

	while (s->key[i] && (s->gen[i] & ~RB_GEN_PSTRUCT) == s->cur && s->key[i] != k)
		i = (i + 1) & m;
	return i;
}

static inline int rb_lineset_grow(struct rb_lineset *s)
{
	struct rb_lineset t;

	if (rb_lineset_init(&t, s->cap * 2))
		return -ENOMEM;
	t.cur = s->cur;
	for (size_t i = 0; i < s->cap; i++)
		if (s->key[i] && (s->gen[i] & ~RB_GEN_PSTRUCT) == s->cur) {
			size_t j = rb_lineset_slot(&t, s->key[i]);

			t.key[j] = s->key[i];
			t.gen[j] = s->gen[i];
		}
	t.n = s->n;
	t.n_pstruct = s->n_pstruct;
	rb_lineset_free(s);
	*s = t;
	return 0;
}

/* Adds a line; -ENOMEM when the set could not grow (the count is then wrong). */
static inline int rb_lineset_add(struct rb_lineset *s, uint64_t line, bool pstruct)
{
	uint64_t k = line + 1;
	size_t i;

	if (2 * (s->n + 1) > s->cap && rb_lineset_grow(s))
		return -ENOMEM;
	i = rb_lineset_slot(s, k);
	if (s->key[i] == k && (s->gen[i] & ~RB_GEN_PSTRUCT) == s->cur) {
		if (pstruct && !(s->gen[i] & RB_GEN_PSTRUCT)) {
			s->gen[i] |= RB_GEN_PSTRUCT;
			s->n_pstruct++;
		}
		return 0;
	}
	s->key[i] = k;
	s->gen[i] = s->cur | (pstruct ? RB_GEN_PSTRUCT : 0);
	s->n++;
	s->n_pstruct += pstruct;
	return 0;
}

#endif

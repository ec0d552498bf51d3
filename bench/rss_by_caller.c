// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Where a process's memory goes, by allocation site: an LD_PRELOAD module
 * that remembers every heap block of 512 KiB or more (malloc, calloc,
 * realloc, aligned_alloc, memalign, posix_memalign) with the address that
 * asked for it, and on SIGUSR1 writes one line per live block to
 * /tmp/rss_by_caller.PID.txt: resident KiB (mincore() over its pages),
 * size KiB, and the caller as "object symbol+offset" (dladdr). The last
 * line is the resident total of those blocks. Smaller blocks, stacks and
 * libraries' own mappings are not in it: compare with VmRSS.
 *
 *   LD_PRELOAD=build/bench/librss_by_caller.so lumen serve ... &
 *   kill -USR1 $!; sort -rn /tmp/rss_by_caller.$!.txt
 *
 * A measuring tool for docs/serve-testing.md, built natively on glibc
 * only; not part of lumen. The table is fixed (4096 blocks, the rest not
 * tracked) and guarded by a mutex; the signal handler takes no lock (a
 * block freed meanwhile may be reported once more) and uses stdio, which
 * is acceptable for a tool that is signalled by hand.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define TRACKED 4096
#define MIN_BLOCK (512 * 1024)
#define BOOT_ARENA 65536	/* for dlsym's own calloc, before we can forward */

static struct {
	void *p;
	size_t size;
	void *caller;
} blocks[TRACKED];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void *(*real_malloc)(size_t);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static void *(*real_aligned_alloc)(size_t, size_t);
static void *(*real_memalign)(size_t, size_t);
static int (*real_posix_memalign)(void **, size_t, size_t);
static void (*real_free)(void *);

static _Alignas(16) char boot[BOOT_ARENA];
static size_t boot_used;
static int resolving;

static void resolve(void)
{
	if (real_malloc)
		return;
	resolving = 1;
	real_malloc = (void *(*)(size_t))dlsym(RTLD_NEXT, "malloc");
	real_calloc = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "calloc");
	real_realloc = (void *(*)(void *, size_t))dlsym(RTLD_NEXT, "realloc");
	real_aligned_alloc = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "aligned_alloc");
	real_memalign = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "memalign");
	real_posix_memalign = (int (*)(void **, size_t, size_t))dlsym(RTLD_NEXT,
								      "posix_memalign");
	real_free = (void (*)(void *))dlsym(RTLD_NEXT, "free");
	resolving = 0;
}

/* dlsym allocates before the real functions are known: a bump arena */
static void *boot_alloc(size_t n)
{
	void *p;

	n = (n + 15) & ~(size_t)15;
	if (boot_used + n > sizeof(boot))
		return NULL;
	p = boot + boot_used;
	boot_used += n;
	return p;	/* static storage: already zero */
}

static int in_boot(const void *p)
{
	return (const char *)p >= boot && (const char *)p < boot + sizeof(boot);
}

static void track(void *p, size_t size, void *caller)
{
	if (!p || size < MIN_BLOCK)
		return;
	pthread_mutex_lock(&lock);
	for (int i = 0; i < TRACKED; i++)
		if (!blocks[i].p) {
			blocks[i].p = p;
			blocks[i].size = size;
			blocks[i].caller = caller;
			break;
		}
	pthread_mutex_unlock(&lock);
}

static void untrack(void *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&lock);
	for (int i = 0; i < TRACKED; i++)
		if (blocks[i].p == p) {
			blocks[i].p = NULL;
			break;
		}
	pthread_mutex_unlock(&lock);
}

/* @p, tracked as asked for by @caller: the allocators' common tail. */
static void *tracked(void *p, size_t size, void *caller)
{
	track(p, size, caller);
	return p;
}

void *malloc(size_t n)
{
	if (resolving)
		return boot_alloc(n);
	resolve();
	return tracked(real_malloc(n), n, __builtin_return_address(0));
}

void *calloc(size_t a, size_t b)
{
	if (b && a > SIZE_MAX / b)
		return NULL;
	if (resolving)
		return boot_alloc(a * b);
	resolve();
	return tracked(real_calloc(a, b), a * b, __builtin_return_address(0));
}

void *realloc(void *q, size_t n)
{
	void *p;

	resolve();
	if (in_boot(q)) {	/* never freed: copy out of the arena */
		p = real_malloc(n);
		if (p)
			memcpy(p, q, n < BOOT_ARENA ? n : BOOT_ARENA);
	} else {
		untrack(q);
		p = real_realloc(q, n);
	}
	return tracked(p, n, __builtin_return_address(0));
}

void *aligned_alloc(size_t a, size_t n)
{
	resolve();
	return tracked(real_aligned_alloc(a, n), n, __builtin_return_address(0));
}

void *memalign(size_t a, size_t n)
{
	resolve();
	return tracked(real_memalign(a, n), n, __builtin_return_address(0));
}

int posix_memalign(void **pp, size_t a, size_t n)
{
	int r;

	resolve();
	r = real_posix_memalign(pp, a, n);
	if (!r)
		track(*pp, n, __builtin_return_address(0));
	return r;
}

void free(void *p)
{
	if (!p || in_boot(p))
		return;
	resolve();
	untrack(p);
	real_free(p);
}

/* Resident bytes of [p, p + size) by mincore(). */
static size_t resident(const void *p, size_t size)
{
	const size_t page = (size_t)sysconf(_SC_PAGESIZE);
	const uintptr_t lo = (uintptr_t)p & ~(page - 1);
	const uintptr_t hi = ((uintptr_t)p + size + page - 1) & ~(page - 1);
	unsigned char v[256];
	size_t n = 0;

	for (uintptr_t a = lo; a < hi; a += sizeof(v) * page) {
		const size_t len = hi - a < sizeof(v) * page ? hi - a : sizeof(v) * page;

		if (mincore((void *)a, len, v))
			return 0;
		for (size_t k = 0; k < len / page; k++)
			n += v[k] & 1;
	}
	return n * page;
}

static void report(int sig)
{
	char path[64];
	size_t total = 0;
	FILE *f;

	(void)sig;
	snprintf(path, sizeof(path), "/tmp/rss_by_caller.%d.txt", (int)getpid());
	f = fopen(path, "w");
	if (!f)
		return;
	for (int i = 0; i < TRACKED; i++) {
		Dl_info di;
		size_t r;

		if (!blocks[i].p)
			continue;
		r = resident(blocks[i].p, blocks[i].size);
		total += r;
		if (dladdr(blocks[i].caller, &di) && di.dli_sname)
			fprintf(f, "%8zu %8zu %s %s+0x%lx\n", r / 1024, blocks[i].size / 1024,
				di.dli_fname, di.dli_sname,
				(unsigned long)((char *)blocks[i].caller - (char *)di.dli_saddr));
		else if (dladdr(blocks[i].caller, &di))
			fprintf(f, "%8zu %8zu %s +0x%lx\n", r / 1024, blocks[i].size / 1024,
				di.dli_fname,
				(unsigned long)((char *)blocks[i].caller - (char *)di.dli_fbase));
		else
			fprintf(f, "%8zu %8zu ? %p\n", r / 1024, blocks[i].size / 1024,
				blocks[i].caller);
	}
	fprintf(f, "total %zu kB resident in blocks of %d KiB or more\n", total / 1024,
		MIN_BLOCK / 1024);
	fclose(f);
}

__attribute__((constructor)) static void start(void)
{
	signal(SIGUSR1, report);
}

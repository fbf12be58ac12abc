// mremap: growing in place when the next pages are free, ENOMEM without
// MREMAP_MAYMOVE when they are not, moving with MREMAP_MAYMOVE (contents kept,
// old range unmapped), shrinking, MREMAP_FIXED, MREMAP_DONTUNMAP, duplicating
// a shared mapping with old_size 0, and argument errors.
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "faults.h"

#define PG 4096L

static int mapped(void *p) { return msync(p, PG, MS_ASYNC) == 0; }

static char *rm(const char *what, void *old, size_t os, size_t ns, int flags, void *na) {
    char *r = mremap(old, os, ns, flags, na);
    if (r == MAP_FAILED)
        printf("%s: %s\n", what, en(errno));
    else
        printf("%s: %s\n", what, r == old ? "same address" : r == na ? "new address as asked" : "moved");
    return r;
}

int main(void) {
    alarm(10);
    catch_faults();
    /* Reserve 16 pages, keep 2 at the start: the next 14 are free to grow into. */
    char *a = mmap(NULL, 16 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(a + 2 * PG, 14 * PG);
    memset(a, 'a', 2 * PG);
    char *r = rm("grow 2->4 pages in place", a, 2 * PG, 4 * PG, 0, NULL);
    printf("old data kept: %c, new pages zero: %d\n", r[PG], r[3 * PG]);
    r[3 * PG] = 'b';
    r = rm("shrink 4->1", a, 4 * PG, PG, 0, NULL);
    printf("pages mapped after shrink: %d %d %d\n", mapped(a), mapped(a + PG), mapped(a + 3 * PG));
    try_read("read shrunk-away page", a + PG);

    /* Blocked growth. */
    r = rm("grow 1->2", a, PG, 2 * PG, 0, NULL);
    char *blk = mmap(a + 2 * PG, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    printf("blocker placed: %d\n", blk == a + 2 * PG);
    rm("grow 2->4 with a blocker, no MAYMOVE", a, 2 * PG, 4 * PG, 0, NULL);
    a[PG] = 'c';
    r = rm("grow 2->4 with MREMAP_MAYMOVE", a, 2 * PG, 4 * PG, MREMAP_MAYMOVE, NULL);
    printf("moved data: %c %c, old range mapped: %d\n", r[0], r[PG], mapped(a));
    try_read("read old address", a);
    munmap(blk, PG);

    /* MREMAP_FIXED to a chosen address. */
    char *dst = mmap(NULL, 8 * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *m = rm("MREMAP_FIXED|MAYMOVE", r, 4 * PG, 4 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, dst + 2 * PG);
    printf("data at fixed target: %c %c, rest of target region still mapped: %d %d\n", m[0], m[PG],
           mapped(dst), mapped(dst + 7 * PG));
    rm("MREMAP_FIXED without MAYMOVE", m, 4 * PG, 4 * PG, MREMAP_FIXED, dst);
    rm("MREMAP_FIXED unaligned target", m, 4 * PG, 4 * PG, MREMAP_FIXED | MREMAP_MAYMOVE, dst + 1);
    rm("MREMAP_FIXED overlapping source", m, 4 * PG, 4 * PG, MREMAP_FIXED | MREMAP_MAYMOVE, m + PG);

    /* Errors. */
    rm("unaligned old address", m + 1, PG, 2 * PG, MREMAP_MAYMOVE, NULL);
    rm("new size 0", m, PG, 0, MREMAP_MAYMOVE, NULL);
    rm("unknown flag", m, PG, 2 * PG, 0x80, NULL);
    rm("not mapped", a, PG, 2 * PG, MREMAP_MAYMOVE, NULL);
    rm("old range spans two mappings", dst, 8 * PG, 9 * PG, MREMAP_MAYMOVE, NULL);
    rm("old_size 0 of a private mapping", m, 0, PG, MREMAP_MAYMOVE, NULL);

    /* old_size 0 of a shared mapping: a second view of the same pages. */
    char *s = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    s[0] = 'S';
    char *s2 = rm("duplicate shared mapping (old_size 0)", s, 0, PG, MREMAP_MAYMOVE, NULL);
    if (s2 != MAP_FAILED) {
        s2[1] = 'T';
        printf("views share pages: %c%c, both mapped %d %d\n", s2[0], s[1], mapped(s), mapped(s2));
    }

    /* MREMAP_DONTUNMAP: the old range stays mapped but its pages moved away. */
    char *d = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memset(d, 'd', 2 * PG);
    char *d2 = rm("MREMAP_DONTUNMAP", d, 2 * PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, NULL);
    if (d2 != MAP_FAILED)
        printf("new has data: %c, old still mapped %d and reads zero: %d\n", d2[PG], mapped(d), d[PG]);
    rm("MREMAP_DONTUNMAP changing size", d2, 2 * PG, 3 * PG, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, NULL);
    rm("MREMAP_DONTUNMAP without MAYMOVE", d2, 2 * PG, 2 * PG, MREMAP_DONTUNMAP, NULL);

    /* Growing a large block repeatedly keeps the data (realloc-style). */
    size_t sz = PG;
    char *g = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    g[0] = 1;
    int ok = 1;
    for (int i = 0; i < 8; i++) {
        char *n = mremap(g, sz, sz * 2, MREMAP_MAYMOVE);
        if (n == MAP_FAILED) {
            ok = 0;
            break;
        }
        g = n;
        g[sz] = 1;
        sz *= 2;
    }
    long sum = 0;
    for (size_t i = 0; i < sz; i += PG)
        sum += g[i];
    printf("grew to %zu pages, ok %d, marker sum %ld\n", sz / PG, ok, sum);
    report("raw mremap grow with bad flags", syscall(SYS_mremap, g, sz, 2 * sz, 0xff, 0));
    return 0;
}

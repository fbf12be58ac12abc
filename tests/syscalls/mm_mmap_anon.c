// Anonymous mmap: zero fill, private vs. shared across fork, argument errors,
// MAP_FIXED replacing pages, MAP_FIXED_NOREPLACE (EEXIST), address hints,
// MAP_32BIT, MAP_SHARED_VALIDATE, and munmap of partial ranges (the hole
// faults with SEGV_MAPERR, its neighbours survive).
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "faults.h"

#define PG 4096L

static void mm(const char *what, void *addr, size_t len, int prot, int flags, int fd, off_t off) {
    void *p = mmap(addr, len, prot, flags, fd, off);
    if (p == MAP_FAILED)
        printf("%s: %s\n", what, en(errno));
    else {
        printf("%s: ok\n", what);
        munmap(p, len);
    }
}

int main(void) {
    alarm(10);
    catch_faults();
    char *a = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("mmap ok: %d, page aligned: %d\n", a != MAP_FAILED, ((uintptr_t)a & (PG - 1)) == 0);
    int zero = 1;
    for (long i = 0; i < 3 * PG; i++)
        zero &= a[i] == 0;
    printf("zero filled: %d\n", zero);
    memset(a, 'x', 3 * PG);

    mm("len 0", NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    mm("neither private nor shared", NULL, PG, PROT_READ, MAP_ANONYMOUS, -1, 0);
    mm("MAP_SHARED_VALIDATE anon", NULL, PG, PROT_READ, MAP_SHARED_VALIDATE | MAP_ANONYMOUS, -1, 0);
    mm("MAP_SHARED_VALIDATE unknown flag", NULL, PG, PROT_READ, MAP_SHARED_VALIDATE | MAP_ANONYMOUS | 0x800000, -1, 0);
    mm("unaligned offset", NULL, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 100);
    mm("anon ignores fd", NULL, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, 12345, 0);
    mm("file mapping, bad fd", NULL, PG, PROT_READ, MAP_PRIVATE, 12345, 0);
    mm("huge length", NULL, (size_t)1 << 62, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    mm("MAP_FIXED unaligned", a + 1, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    mm("MAP_NORESERVE 1 GiB", NULL, 1L << 30, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    mm("MAP_POPULATE", NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    void *lo = mmap(NULL, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
    printf("MAP_32BIT below 2 GiB: %d\n", lo != MAP_FAILED && (uintptr_t)lo < (1UL << 31));

    /* MAP_FIXED replaces the middle page with fresh zeroes. */
    char *f = mmap(a + PG, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    printf("MAP_FIXED returns the address: %d\n", f == a + PG);
    printf("pages after MAP_FIXED: %c %d %c\n", a[0], a[PG], a[2 * PG]);
    f = mmap(a + PG, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    printf("MAP_FIXED_NOREPLACE over a mapping: %s\n", f == MAP_FAILED ? en(errno) : "mapped");
    f = mmap(a + 2 * PG, 2 * PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    printf("MAP_FIXED_NOREPLACE partly overlapping: %s\n", f == MAP_FAILED ? en(errno) : "mapped");

    /* munmap the middle page. */
    report("munmap middle page", munmap(a + PG, PG));
    try_read("read first page", a);
    try_read("read the hole", a + PG);
    try_write("write the hole", a + PG, 1);
    try_read("read third page", a + 2 * PG + 5);
    report("munmap the hole again", munmap(a + PG, PG));
    report("munmap unaligned", munmap(a + 1, PG));
    report("munmap length 0", munmap(a, 0));
    report("msync on the hole", msync(a + PG, PG, MS_ASYNC));
    f = mmap(a + PG, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    printf("MAP_FIXED_NOREPLACE into the hole: %s\n", f == a + PG ? "exact" : f == MAP_FAILED ? en(errno) : "elsewhere");
    /* A hint for a free range is honoured. */
    munmap(a, 3 * PG);
    void *h = mmap(a, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("free hint honoured: %d\n", h == a);
    munmap(h, PG);
    try_read("read after munmap of everything", a + 2 * PG);
    /* munmap with a length not page-multiple rounds up. */
    char *r = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    report("munmap 1 byte", munmap(r, 1));
    try_read("first page after munmap(1)", r);
    try_read("second page survives", r + PG);
    munmap(r, 2 * PG);

    /* Across fork: shared anon is shared, private is copy-on-write. */
    int *sh = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    int *pv = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    *sh = 1;
    *pv = 1;
    int up[2], down[2];
    pipe(up);
    pipe(down);
    fflush(stdout);
    pid_t kid = fork();
    if (kid == 0) {
        char c;
        *sh = 2;
        *pv = 2;
        if (write(up[1], "w", 1) != 1 || read(down[0], &c, 1) != 1) /* parent writes back */
            _exit(9);
        _exit(*sh * 10 + *pv);
    }
    char c;
    read(up[0], &c, 1);
    printf("parent sees child's shared write: %d, private unchanged: %d\n", *sh, *pv);
    *sh = 3;
    *pv = 3;
    write(down[1], "p", 1);
    int st;
    waitpid(kid, &st, 0);
    printf("child saw shared %d private %d\n", WEXITSTATUS(st) / 10, WEXITSTATUS(st) % 10);
    return 0;
}

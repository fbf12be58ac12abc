// The program break and large allocations: brk(0) queries, growing by 1 MiB
// gives zeroed writable memory, shrinking unmaps it (SEGV_MAPERR), requests
// below the start or absurdly large leave the break unchanged; a 100 MB
// malloc touched sparsely, calloc of 64 MB reads as zero, a 1 GiB PROT_NONE
// reservation, and many small mappings.
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "faults.h"

#define PG 4096L
static char outbuf[1 << 16];

static uintptr_t brk_(uintptr_t a) { return (uintptr_t)syscall(SYS_brk, a); }

int main(void) {
    alarm(20);
    /* A static stdio buffer: no malloc (and so no brk use by libc) in between. */
    setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
    catch_faults();

    uintptr_t start = brk_(0);
    printf("brk(0) twice agrees: %d\n", brk_(0) == start);
    printf("break is above the program's data: %d\n", start > (uintptr_t)outbuf);
    uintptr_t want = start + (1 << 20);
    uintptr_t got = brk_(want);
    printf("grow by 1 MiB: %s\n", got == want ? "exact" : got == start ? "unchanged" : "other");
    int zero = 1;
    for (uintptr_t p = start; p < want; p += 512)
        zero &= *(volatile char *)p == 0;
    printf("new heap zeroed: %d\n", zero);
    memset((void *)start, 0x5a, want - start);
    try_read("last byte of the heap", (char *)want - 1);
    try_read("first byte past the break's page", (char *)((want + PG - 1) & ~(PG - 1)));

    uintptr_t half = start + (1 << 19);
    printf("shrink by 512 KiB: %d\n", brk_(half) == half);
    try_read("byte below the new break", (char *)half - 1);
    try_read("byte in the released part", (char *)half + PG);
    printf("grow again: %d\n", brk_(want) == want);
    try_read("regrown memory is zero again", (char *)half + PG);

    printf("brk below start leaves it: %d\n", brk_(start - (64 << 20)) == want);
    printf("brk(1) leaves it: %d\n", brk_(1) == want);
    printf("brk of 64 TiB leaves it: %d\n", brk_(start + (64UL << 40)) == want);
    /* An unaligned break is allowed; memory up to the page end is usable. */
    printf("unaligned break: %d\n", brk_(want + 10) == want + 10);
    try_write("write just past the unaligned break (same page)", (char *)want + 20, 1);
    printf("back to start: %d\n", brk_(start) == start);
    try_read("old heap after shrinking to start", (char *)start + PG);
    /* A mapping placed right after the break blocks its growth. */
    char *blk = mmap((void *)((start + PG - 1) & ~(PG - 1)) + 4 * PG, PG, PROT_READ,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    printf("blocker mapped: %d\n", blk != MAP_FAILED);
    got = brk_(start + 16 * PG);
    printf("grow into the blocker: %s\n", got == start ? "refused" : "moved");
    munmap(blk, PG);
    printf("grow after removing it: %d\n", brk_(start + 16 * PG) == start + 16 * PG);
    brk_(start);
    fflush(stdout);

    /* 100 MB, touched every 64 KiB. */
    size_t big = 100UL << 20;
    unsigned char *m = malloc(big);
    printf("malloc 100 MB: %d\n", m != NULL);
    long sum = 0;
    for (size_t i = 0; i < big; i += 65536)
        m[i] = (unsigned char)(i >> 16);
    for (size_t i = 0; i < big; i += 65536)
        sum += m[i];
    m[big - 1] = 7;
    printf("sparse sum %ld, last byte %d\n", sum, m[big - 1]);
    free(m);

    unsigned char *z = calloc(1, 64UL << 20);
    int allzero = z != NULL;
    for (size_t i = 0; z && i < (64UL << 20); i += 4093)
        allzero &= z[i] == 0;
    printf("calloc 64 MB reads zero: %d\n", allzero);
    free(z);

    char *res = mmap(NULL, 1UL << 30, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    printf("1 GiB PROT_NONE reservation: %d\n", res != MAP_FAILED);
    report("commit 1 MiB in the middle", mprotect(res + (512 << 20), 1 << 20, PROT_READ | PROT_WRITE));
    try_write("write committed part", res + (512 << 20) + 5, 1);
    try_write("write reserved part", res + 5, 1);
    munmap(res, 1UL << 30);

    /* 1000 separate one-page mappings with alternating protections. */
    int ok = 0;
    char *pages[1000];
    for (int i = 0; i < 1000; i++) {
        pages[i] = mmap(NULL, PG, i % 2 ? PROT_READ : PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        ok += pages[i] != MAP_FAILED;
    }
    for (int i = 0; i < 1000; i += 2)
        pages[i][0] = 1;
    for (int i = 0; i < 1000; i++)
        munmap(pages[i], PG);
    printf("1000 small mappings: %d\n", ok);
    return 0;
}

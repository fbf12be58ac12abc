// madvise, mincore, msync and mlock on anonymous and file mappings:
// MADV_DONTNEED zeroes private anonymous pages but keeps shared ones and
// reverts private file pages to the file, MADV_REMOVE, MADV_DONTFORK and
// MADV_WIPEONFORK across fork, mincore residency after touching or mlock,
// and the EINVAL/ENOMEM/EFAULT/EBUSY argument errors of all four calls.
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "faults.h"

#define PG 4096L

/* An address with nothing mapped (until the next mmap). */
static char *hole(void) {
    char *h = mmap(NULL, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(h, PG);
    return h;
}

static void residency(const char *what, void *p, int pages) {
    unsigned char v[16];
    memset(v, 0xff, sizeof v);
    if (mincore(p, pages * PG, v) < 0) {
        printf("%s: mincore %s\n", what, en(errno));
        return;
    }
    printf("%s:", what);
    for (int i = 0; i < pages; i++)
        printf(" %d", v[i] & 1);
    printf("\n");
}

int main(void) {
    alarm(10);
    catch_faults();
    char *a = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    residency("fresh private anon", a, 4);
    a[0] = 1;
    a[2 * PG] = 1;
    residency("after writing pages 0 and 2", a, 4);
    memset(a, 'p', 4 * PG);
    report("MADV_DONTNEED private anon", madvise(a, 2 * PG, MADV_DONTNEED));
    printf("after DONTNEED: %d %d %c\n", a[0], a[PG + 5], a[2 * PG]);
    residency("residency after DONTNEED", a, 4);

    char *s = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    memset(s, 's', 2 * PG);
    report("MADV_DONTNEED shared anon", madvise(s, 2 * PG, MADV_DONTNEED));
    printf("shared anon keeps data: %c %c\n", s[0], s[PG]);
    report("MADV_REMOVE shared anon", madvise(s, PG, MADV_REMOVE));
    printf("after MADV_REMOVE: %d %c\n", s[0], s[PG]);
    report("MADV_REMOVE private anon", madvise(a, PG, MADV_REMOVE));

    /* File-backed private mapping: DONTNEED drops the private copy. */
    int fd = open("file", O_RDWR | O_CREAT | O_TRUNC, 0644);
    char page[PG];
    memset(page, 'f', PG);
    write(fd, page, PG);
    char *f = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    f[0] = 'X';
    printf("private file page modified: %c\n", f[0]);
    report("MADV_DONTNEED private file", madvise(f, PG, MADV_DONTNEED));
    printf("reverted to file content: %c\n", f[0]);

    /* Advice that never fails. */
    report("MADV_NORMAL", madvise(a, 4 * PG, MADV_NORMAL));
    report("MADV_RANDOM", madvise(a, 4 * PG, MADV_RANDOM));
    report("MADV_SEQUENTIAL", madvise(a, 4 * PG, MADV_SEQUENTIAL));
    report("MADV_WILLNEED anon", madvise(a, 4 * PG, MADV_WILLNEED));
    report("MADV_WILLNEED file", madvise(f, PG, MADV_WILLNEED));
    report("MADV_FREE", madvise(a + 3 * PG, PG, MADV_FREE));
    report("MADV_FREE on a file mapping", madvise(f, PG, MADV_FREE));
    report("length 0", madvise(a, 0, MADV_DONTNEED));
    /* Errors. */
    report("unknown advice", madvise(a, PG, 12345));
    report("unaligned start", syscall(SYS_madvise, a + 1, PG, MADV_DONTNEED));
    munmap(a + 3 * PG, PG);
    report("range with an unmapped tail", madvise(a + 2 * PG, 2 * PG, MADV_NORMAL));
    report("fully unmapped", madvise(a + 3 * PG, PG, MADV_NORMAL));

    /* MADV_DONTFORK: the child has no mapping there. MADV_WIPEONFORK: zeroes. */
    char *df = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *wf = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    df[0] = 'D';
    wf[0] = 'W';
    report("MADV_DONTFORK", madvise(df, PG, MADV_DONTFORK));
    report("MADV_WIPEONFORK", madvise(wf, PG, MADV_WIPEONFORK));
    report("MADV_WIPEONFORK on shared", madvise(s, PG, MADV_WIPEONFORK));
    fflush(stdout);
    pid_t kid = fork();
    if (kid == 0) {
        int r = wf[0] == 0 ? 1 : 0;
        r |= msync(df, PG, MS_ASYNC) < 0 && errno == ENOMEM ? 2 : 0;
        _exit(r);
    }
    int st;
    waitpid(kid, &st, 0);
    printf("child: wiped %d, DONTFORK range unmapped %d\n", WEXITSTATUS(st) & 1, (WEXITSTATUS(st) >> 1) & 1);
    printf("parent keeps: %c %c\n", df[0], wf[0]);

    /* mincore errors. */
    unsigned char v[4];
    report("mincore unaligned", syscall(SYS_mincore, a + 1, PG, v));
    report("mincore unmapped", mincore(hole(), PG, v));
    report("mincore bad vector", syscall(SYS_mincore, a, PG, (void *)8));
    residency("mincore of a file page in the page cache", f, 1);

    /* msync. */
    char *sf = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    sf[1] = 'Y';
    report("msync MS_SYNC", msync(sf, PG, MS_SYNC));
    report("msync MS_ASYNC", msync(sf, PG, MS_ASYNC));
    report("msync MS_INVALIDATE", msync(sf, PG, MS_INVALIDATE));
    report("msync MS_SYNC|MS_ASYNC", msync(sf, PG, MS_SYNC | MS_ASYNC));
    report("msync unknown flag", msync(sf, PG, 0x100));
    report("msync unaligned", syscall(SYS_msync, sf + 1, PG, MS_SYNC));
    report("msync anon", msync(a, PG, MS_SYNC));
    report("msync unmapped", msync(hole(), PG, MS_SYNC));
    char back[2];
    pread(fd, back, 2, 0);
    printf("file after msync: %c%c\n", back[0], back[1]);

    /* mlock: small ranges only, well below any RLIMIT_MEMLOCK. */
    char *l = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    residency("before mlock", l, 4);
    report("mlock 2 pages", mlock(l, 2 * PG));
    residency("after mlock (populated)", l, 4);
    report("MADV_DONTNEED on locked pages", madvise(l, PG, MADV_DONTNEED));
    report("msync MS_INVALIDATE on locked pages", msync(l, PG, MS_INVALIDATE));
    report("munlock", munlock(l, 2 * PG));
    report("munlock again", munlock(l, 2 * PG));
    report("mlock2 MLOCK_ONFAULT", syscall(SYS_mlock2, l + 2 * PG, 2 * PG, 1));
    residency("after mlock2 ONFAULT (not populated)", l, 4);
    report("mlock2 bad flags", syscall(SYS_mlock2, l, PG, 0x10));
    munlock(l, 4 * PG);
    munmap(l + 3 * PG, PG);
    report("mlock over an unmapped page", mlock(l + 2 * PG, 2 * PG));
    report("mlock length 0", mlock(l, 0));
    return 0;
}

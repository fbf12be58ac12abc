// Timestamps: utimensat with explicit times (read back exactly), UTIME_NOW,
// UTIME_OMIT, AT_SYMLINK_NOFOLLOW (link vs target), NULL path on a descriptor,
// futimens, futimesat, utimes, utime; EINVAL for bad nanoseconds or flags;
// writes update mtime, chmod updates ctime but not mtime (compared, not printed).
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>

/* T: run a call, print its text and "ok" or the errno name. */
#define T(x) do { errno = 0; long r_ = (long)(x); \
    if (r_ < 0) printf("%s = -1 %s\n", #x, en(errno)); else printf("%s = ok\n", #x); } while (0)
/* V: like T, but print the value returned. */
#define V(x) do { errno = 0; long r_ = (long)(x); \
    if (r_ < 0) printf("%s = -1 %s\n", #x, en(errno)); else printf("%s = %ld\n", #x, r_); } while (0)
/* S: print a labelled truth value. */
#define S(label, cond) printf("%s: %d\n", label, (int)(cond))
#include <sys/time.h>
#include <time.h>
#include <utime.h>

#include "common.h"

static void tm(const char *label, const char *p, int nofollow) {
    struct stat s;
    int r = nofollow ? lstat(p, &s) : stat(p, &s);
    if (r < 0) {
        printf("%s: -1 %s\n", label, en(errno));
        return;
    }
    printf("%s: atime %lld.%09ld mtime %lld.%09ld\n", label, (long long)s.st_atim.tv_sec, s.st_atim.tv_nsec,
           (long long)s.st_mtim.tv_sec, s.st_mtim.tv_nsec);
}

static int newer_eq(struct timespec a, struct timespec b) {
    return a.tv_sec > b.tv_sec || (a.tv_sec == b.tv_sec && a.tv_nsec >= b.tv_nsec);
}

int main(void) {
    umask(022);
    int fd = open("f", O_CREAT | O_RDWR, 0644);
    T(symlink("f", "lf"));
    T(mkdir("d", 0755));
    struct timespec ts[2] = {{1000000000, 123456789}, {1234567890, 987654321}};
    T(utimensat(AT_FDCWD, "f", ts, 0));
    tm("f", "f", 0);
    /* UTIME_OMIT leaves a field alone. */
    struct timespec om[2] = {{5, UTIME_OMIT}, {1500000000, 5}};
    T(utimensat(AT_FDCWD, "f", om, 0));
    tm("f after omit atime", "f", 0);
    struct timespec om2[2] = {{1400000000, 0}, {0, UTIME_OMIT}};
    T(utimensat(AT_FDCWD, "f", om2, 0));
    tm("f after omit mtime", "f", 0);
    struct timespec both[2] = {{0, UTIME_OMIT}, {0, UTIME_OMIT}};
    T(utimensat(AT_FDCWD, "f", both, 0));
    tm("f after omit both", "f", 0);
    /* UTIME_NOW: the time is now (compared with a clock read before). */
    struct timespec before, after;
    clock_gettime(CLOCK_REALTIME, &before);
    before.tv_sec -= 1;
    struct timespec now1[2] = {{0, UTIME_OMIT}, {0, UTIME_NOW}};
    T(utimensat(AT_FDCWD, "f", now1, 0));
    clock_gettime(CLOCK_REALTIME, &after);
    after.tv_sec += 1;
    struct stat s;
    stat("f", &s);
    printf("atime kept: %d\n", s.st_atim.tv_sec == 1400000000);
    printf("mtime is now: %d\n", newer_eq(s.st_mtim, before) && newer_eq(after, s.st_mtim));
    T(utimensat(AT_FDCWD, "f", NULL, 0));
    stat("f", &s);
    printf("NULL times: both now: %d\n", newer_eq(s.st_atim, before) && newer_eq(s.st_mtim, before));
    /* Bad nanoseconds. */
    struct timespec bad[2] = {{0, 1000000000}, {0, 0}};
    T(utimensat(AT_FDCWD, "f", bad, 0));
    struct timespec bad2[2] = {{0, 0}, {0, -5}};
    T(utimensat(AT_FDCWD, "f", bad2, 0));
    T(utimensat(AT_FDCWD, "f", ts, 0x1234));
    T(utimensat(AT_FDCWD, "missing", ts, 0));
    T(utimensat(AT_FDCWD, "f/", ts, 0));

    /* AT_SYMLINK_NOFOLLOW touches the link only. */
    T(utimensat(AT_FDCWD, "f", ts, 0));
    struct timespec lt[2] = {{1100000000, 1}, {1100000000, 2}};
    T(utimensat(AT_FDCWD, "lf", lt, AT_SYMLINK_NOFOLLOW));
    tm("lf (link)", "lf", 1);
    tm("f (target)", "f", 0);
    struct timespec ft[2] = {{1200000000, 0}, {1200000000, 0}};
    T(utimensat(AT_FDCWD, "lf", ft, 0));
    /* (following the link may update its atime: relatime) */
    S("lf (link) mtime kept after follow", lstat("lf", &s) == 0 && s.st_mtim.tv_sec == 1100000000 && s.st_mtim.tv_nsec == 2);
    tm("f (target) after follow", "f", 0);

    /* NULL path: operates on the descriptor (raw syscall; glibc rejects NULL). */
    struct timespec fdts[2] = {{1300000000, 300}, {1300000000, 400}};
    T(syscall(SYS_utimensat, fd, NULL, fdts, 0));
    tm("f via fd", "f", 0);
    T(syscall(SYS_utimensat, AT_FDCWD, NULL, fdts, 0));
    T(syscall(SYS_utimensat, -1, NULL, fdts, 0));
    T(futimens(fd, ts));
    tm("f via futimens", "f", 0);
    /* Directory timestamps. */
    T(utimensat(AT_FDCWD, "d", ts, 0));
    tm("d", "d", 0);
    int dd = open("d", O_RDONLY | O_DIRECTORY);
    T(futimens(dd, lt));
    tm("d via futimens", "d", 0);

    /* utimes, futimesat, utime: microsecond and second resolution. */
    struct timeval tv[2] = {{1111111111, 111111}, {1222222222, 222222}};
    T(utimes("f", tv));
    tm("f via utimes", "f", 0);
    struct timeval tv2[2] = {{1333333333, 333333}, {1444444444, 444444}};
    T(futimesat(dd, "../f", tv2));
    tm("f via futimesat", "f", 0);
    struct utimbuf ub = {1555555555, 1666666666};
    T(utime("f", &ub));
    tm("f via utime", "f", 0);
    struct timeval badtv[2] = {{0, 1000000}, {0, 0}};
    T(utimes("f", badtv));
    close(dd);

    /* write updates mtime and ctime; chmod updates ctime but not mtime. */
    T(utimensat(AT_FDCWD, "f", ts, 0));
    struct stat s1, s2;
    stat("f", &s1);
    T(write(fd, "x", 1));
    stat("f", &s2);
    printf("write changed mtime: %d\n", s1.st_mtim.tv_sec != s2.st_mtim.tv_sec);
    printf("atime untouched by write: %d\n", s2.st_atim.tv_sec == ts[0].tv_sec);
    T(utimensat(AT_FDCWD, "f", ts, 0));
    stat("f", &s1);
    T(chmod("f", 0600));
    stat("f", &s2);
    printf("chmod kept mtime: %d\n", s1.st_mtim.tv_sec == s2.st_mtim.tv_sec && s1.st_mtim.tv_nsec == s2.st_mtim.tv_nsec);
    printf("chmod advanced ctime: %d\n", newer_eq(s2.st_ctim, s1.st_ctim));
    /* Creating a file in a directory updates the directory's mtime. */
    T(utimensat(AT_FDCWD, "d", ts, 0));
    int g = open("d/new", O_CREAT | O_WRONLY, 0644);
    close(g);
    stat("d", &s2);
    printf("dir mtime changed by create: %d\n", s2.st_mtim.tv_sec != ts[1].tv_sec);
    T(utimensat(AT_FDCWD, "d", ts, 0));
    T(unlink("d/new"));
    stat("d", &s2);
    printf("dir mtime changed by unlink: %d\n", s2.st_mtim.tv_sec != ts[1].tv_sec);
    /* ftruncate changes mtime even with the same size? Only when size changes is guaranteed. */
    T(utimensat(AT_FDCWD, "f", ts, 0));
    T(ftruncate(fd, 100));
    stat("f", &s2);
    printf("ftruncate grow changed mtime: %d\n", s2.st_mtim.tv_sec != ts[1].tv_sec);
    close(fd);
    return 0;
}

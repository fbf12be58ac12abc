// O_PATH descriptors: usable as dirfds, for fstat, fchdir and AT_EMPTY_PATH
// calls, but read/write/getdents/fchmod fail with EBADF; O_PATH|O_NOFOLLOW
// opens the symlink itself; reopening through /proc/self/fd works.
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
#include <sys/file.h>

#include "common.h"

int main(void) {
    char top[4096], cwd[4096], buf[256];
    if (!getcwd(top, sizeof top)) return 1;
    T(mkdir("d", 0755));
    int fd = open("d/f", O_CREAT | O_WRONLY, 0644);
    T(write(fd, "payload", 7));
    close(fd);
    T(symlink("d/f", "lnk"));

    int pd, pf, pl;
    T(pd = open("d", O_PATH));
    T(pf = open("d/f", O_PATH));
    T(pl = open("lnk", O_PATH | O_NOFOLLOW));
    struct stat s;
    T(fstat(pd, &s));
    S("pd is a dir", S_ISDIR(s.st_mode));
    T(fstat(pf, &s));
    S("pf is a file of size 7", S_ISREG(s.st_mode) && s.st_size == 7);
    T(fstat(pl, &s));
    S("pl is a symlink", S_ISLNK(s.st_mode));
    T(fstatat(pl, "", &s, AT_EMPTY_PATH));
    S("fstatat(pl, \"\", AT_EMPTY_PATH) is a symlink", S_ISLNK(s.st_mode));
    T(fstatat(pf, "", &s, AT_EMPTY_PATH));
    S("fstatat(pf, \"\", AT_EMPTY_PATH) is a file", S_ISREG(s.st_mode));
    T(fstatat(pf, "", &s, 0));
    V(readlinkat(pl, "", buf, sizeof buf));
    T(readlinkat(pf, "", buf, sizeof buf));
    T(readlinkat(pd, "f", buf, sizeof buf));

    printf("F_GETFL pd has O_PATH: %d\n", (fcntl(pd, F_GETFL) & O_PATH) != 0);
    printf("F_GETFL pf accmode: %d\n", fcntl(pf, F_GETFL) & 3);

    /* I/O on O_PATH descriptors fails with EBADF. */
    T(read(pf, buf, 1));
    T(write(pf, "x", 1));
    T(pread(pf, buf, 1, 0));
    T(lseek(pf, 0, SEEK_SET));
    T(ftruncate(pf, 0));
    T(syscall(SYS_fchmod, pf, 0600));  /* raw: musl emulates via /proc */
    T(syscall(SYS_fchown, pf, getuid(), getgid()));
    T(fsync(pf));
    T(flock(pf, LOCK_SH));
    T(read(pd, buf, 1));
    char dents[1024];
    T(syscall(SYS_getdents64, pd, dents, sizeof dents));

    /* O_PATH descriptors as dirfds. */
    int g;
    T(g = openat(pd, "f", O_RDONLY));
    memset(buf, 0, sizeof buf);
    V(read(g, buf, sizeof buf));
    printf("read via openat(pd): %s\n", buf);
    close(g);
    T(mkdirat(pd, "sub", 0755));
    T(fstatat(pd, "sub", &s, 0));
    T(unlinkat(pd, "sub", AT_REMOVEDIR));
    T(openat(pf, "x", O_RDONLY));
    T(faccessat(pd, "f", R_OK, 0));

    /* fchdir to an O_PATH directory works; to an O_PATH file gives ENOTDIR. */
    T(fchdir(pf));
    T(fchdir(pd));
    S("cwd is top/d", getcwd(cwd, sizeof cwd) && strlen(cwd) == strlen(top) + 2 && strcmp(cwd + strlen(top), "/d") == 0);
    T(chdir(top));

    /* dup and close work; CLOEXEC can be set. */
    int pd2;
    T(pd2 = dup(pd));
    T(fcntl(pd2, F_SETFD, FD_CLOEXEC));
    V(fcntl(pd2, F_GETFD));
    T(close(pd2));

    /* Reopen an O_PATH file through /proc/self/fd with real access. */
    char proc[64];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", pf);
    T(g = open(proc, O_RDONLY));
    memset(buf, 0, sizeof buf);
    V(read(g, buf, sizeof buf));
    printf("read via /proc/self/fd: %s\n", buf);
    close(g);

    /* O_PATH ignores O_CREAT-style flags it does not understand? It still needs the file. */
    T(open("missing", O_PATH));
    T(open("d/f", O_PATH | O_DIRECTORY));
    T(open("lnk", O_PATH | O_DIRECTORY));
    T(g = open("lnk", O_PATH));
    T(fstat(g, &s));
    S("O_PATH without O_NOFOLLOW follows to the file", S_ISREG(s.st_mode));
    close(g);
    close(pd);
    close(pf);
    close(pl);
    return 0;
}

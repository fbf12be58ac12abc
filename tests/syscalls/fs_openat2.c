// openat2(2) via syscall(): struct size and flag validation (EINVAL/E2BIG), and
// the RESOLVE_* flags: NO_SYMLINKS, NO_MAGICLINKS, BENEATH (EXDEV on escape),
// IN_ROOT (".." and absolute symlinks stay inside the dirfd), NO_XDEV.
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

#include "common.h"

/* T: run a call, print its text and "ok" or the errno name. */
#define T(x) do { errno = 0; long r_ = (long)(x); \
    if (r_ < 0) printf("%s = -1 %s\n", #x, en(errno)); else printf("%s = ok\n", #x); } while (0)
/* V: like T, but print the value returned. */
#define V(x) do { errno = 0; long r_ = (long)(x); \
    if (r_ < 0) printf("%s = -1 %s\n", #x, en(errno)); else printf("%s = %ld\n", #x, r_); } while (0)
/* S: print a labelled truth value. */
#define S(label, cond) printf("%s: %d\n", label, (int)(cond))

struct how {
    unsigned long long flags, mode, resolve;
};
struct how_big {
    unsigned long long flags, mode, resolve, extra;
};
#define R_NO_XDEV 0x01
#define R_NO_MAGICLINKS 0x02
#define R_NO_SYMLINKS 0x04
#define R_BENEATH 0x08
#define R_IN_ROOT 0x10

static int o2(int dirfd, const char *p, unsigned long long flags, unsigned long long mode, unsigned long long res) {
    struct how h = {flags, mode, res};
    return syscall(SYS_openat2, dirfd, p, &h, sizeof h);
}

/* Opens, prints the result and, on success, which file it reached. */
static void show(const char *label, int fd) {
    if (fd < 0) {
        printf("%s = -1 %s\n", label, en(errno));
        return;
    }
    char buf[32] = {0};
    struct stat s;
    fstat(fd, &s);
    if (S_ISREG(s.st_mode) && pread(fd, buf, sizeof buf - 1, 0) >= 0)
        printf("%s = file \"%s\"\n", label, buf);
    else
        printf("%s = %s\n", label, S_ISDIR(s.st_mode) ? "dir" : "other");
    close(fd);
}
#define O2(dirfd, p, fl, res) do { errno = 0; int fd_ = o2(dirfd, p, fl, 0, res); \
    show("openat2(" #dirfd ", " #p ", " #fl ", " #res ")", fd_); } while (0)

static void mk(const char *p, const char *content) {
    int fd = open(p, O_CREAT | O_WRONLY | O_TRUNC, 0644);
    if (write(fd, content, strlen(content)) < 0) printf("write failed\n");
    close(fd);
}

int main(void) {
    char top[4096], buf[8192];
    if (!getcwd(top, sizeof top)) return 1;
    umask(022);
    T(mkdir("root", 0755));
    T(mkdir("root/sub", 0755));
    mk("f", "outer");
    mk("root/f", "inner");
    mk("root/sub/g", "g");
    T(symlink("sub/g", "root/rel"));
    T(symlink("/f", "root/abs"));
    T(symlink("../f", "root/up"));
    T(symlink("../../f", "root/sub/upup"));
    T(symlink("sub", "root/lsub"));
    snprintf(buf, sizeof buf, "%s/root/f", top);
    T(symlink(buf, "root/abs_scratch"));
    int rd = open("root", O_RDONLY | O_DIRECTORY);
    int cwd = AT_FDCWD;

    /* Validation. */
    struct how h = {O_RDONLY, 0, 0};
    V(syscall(SYS_openat2, rd, "f", &h, 0) < 0 ? -1 : 0);
    V(syscall(SYS_openat2, rd, "f", &h, 16));
    struct how_big hb = {O_RDONLY, 0, 0, 0};
    int fd = syscall(SYS_openat2, rd, "f", &hb, sizeof hb);
    show("openat2 size 32, zero tail", fd);
    hb.extra = 1;
    V(syscall(SYS_openat2, rd, "f", &hb, sizeof hb));
    V(o2(rd, "f", O_RDONLY | (1ULL << 40), 0, 0));
    V(o2(rd, "f", O_RDONLY, 0644, 0));
    V(o2(rd, "f", O_RDONLY, 0, 0x1000));
    V(o2(rd, "new", O_CREAT | O_WRONLY, 010000, 0));
    V(o2(rd, "f", O_RDONLY, 0, R_BENEATH | R_IN_ROOT));
    fd = o2(rd, "new", O_CREAT | O_WRONLY, 0600, 0);
    S("openat2 O_CREAT 0600 gives a descriptor", fd >= 0);
    close(fd);
    struct stat s;
    S("created with mode 0600", stat("root/new", &s) == 0 && (s.st_mode & 0777) == 0600);

    /* No flags: like openat. */
    O2(rd, "f", O_RDONLY, 0);
    O2(rd, "rel", O_RDONLY, 0);
    O2(rd, "up", O_RDONLY, 0);
    O2(rd, "../f", O_RDONLY, 0);

    /* RESOLVE_NO_SYMLINKS */
    O2(rd, "rel", O_RDONLY, R_NO_SYMLINKS);
    O2(rd, "lsub/g", O_RDONLY, R_NO_SYMLINKS);
    O2(rd, "sub/g", O_RDONLY, R_NO_SYMLINKS);
    O2(rd, "rel", O_RDONLY | O_PATH | O_NOFOLLOW, R_NO_SYMLINKS);

    /* RESOLVE_NO_MAGICLINKS */
    char proc[64];
    int gf = open("root/sub/g", O_RDONLY);
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", gf);
    fd = o2(cwd, proc, O_RDONLY, 0, 0);
    show("openat2 /proc/self/fd/N", fd);
    fd = o2(cwd, proc, O_RDONLY, 0, R_NO_MAGICLINKS);
    show("openat2 /proc/self/fd/N NO_MAGICLINKS", fd);
    O2(rd, "rel", O_RDONLY, R_NO_MAGICLINKS);

    /* RESOLVE_BENEATH */
    O2(rd, "f", O_RDONLY, R_BENEATH);
    O2(rd, "sub/../f", O_RDONLY, R_BENEATH);
    O2(rd, "../f", O_RDONLY, R_BENEATH);
    O2(rd, "sub/../../f", O_RDONLY, R_BENEATH);
    O2(rd, "/f", O_RDONLY, R_BENEATH);
    O2(rd, "abs", O_RDONLY, R_BENEATH);
    O2(rd, "up", O_RDONLY, R_BENEATH);
    O2(rd, "rel", O_RDONLY, R_BENEATH);
    O2(rd, "sub/upup", O_RDONLY, R_BENEATH);
    O2(rd, "abs_scratch", O_RDONLY, R_BENEATH);

    /* RESOLVE_IN_ROOT: the dirfd is the root for "/", ".." and absolute links. */
    O2(rd, "/f", O_RDONLY, R_IN_ROOT);
    O2(rd, "../f", O_RDONLY, R_IN_ROOT);
    O2(rd, "../../../../f", O_RDONLY, R_IN_ROOT);
    O2(rd, "abs", O_RDONLY, R_IN_ROOT);
    O2(rd, "up", O_RDONLY, R_IN_ROOT);
    O2(rd, "sub/upup", O_RDONLY, R_IN_ROOT);
    O2(rd, "/sub/../../sub/g", O_RDONLY, R_IN_ROOT);
    O2(rd, "abs_scratch", O_RDONLY, R_IN_ROOT);

    /* RESOLVE_NO_XDEV: crossing a mount point fails. */
    int root = open("/", O_RDONLY | O_DIRECTORY);
    O2(root, "proc", O_RDONLY | O_DIRECTORY, R_NO_XDEV);
    O2(root, "proc/self", O_RDONLY | O_DIRECTORY, R_NO_XDEV);
    O2(rd, "sub", O_RDONLY | O_DIRECTORY, R_NO_XDEV);
    O2(rd, ".", O_RDONLY | O_DIRECTORY, R_NO_XDEV);
    close(root);
    close(rd);
    return 0;
}

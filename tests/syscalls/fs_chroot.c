// chroot into a subdirectory of scratch (root in the namespace): "/" and ".."
// stop at the new root, absolute symlinks resolve inside it, a cwd left
// outside still works relatively (getcwd reports it "(unreachable)"), nested
// chroot, descriptors opened before still reach outside, error cases.
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

static void cat(const char *p) {
    char buf[64] = {0};
    int fd = open(p, O_RDONLY);
    if (fd < 0) {
        printf("  cat %s: -1 %s\n", p, en(errno));
        return;
    }
    if (read(fd, buf, sizeof buf - 1) < 0) printf("read failed\n");
    close(fd);
    printf("  cat %s: %s\n", p, buf);
}

static void mk(const char *p, const char *content) {
    int fd = open(p, O_CREAT | O_WRONLY | O_TRUNC, 0644);
    if (write(fd, content, strlen(content)) < 0) printf("write failed\n");
    close(fd);
}

static void pwd(void) {
    char buf[4096];
    long n = syscall(SYS_getcwd, buf, sizeof buf);
    if (n < 0)
        printf("  getcwd: -1 %s\n", en(errno));
    else if (strncmp(buf, "(unreachable)", 13) == 0)
        printf("  getcwd: (unreachable)...\n");
    else
        printf("  getcwd: %s\n", buf);
}

int main(void) {
    umask(022);
    T(mkdir("jail", 0755));
    T(mkdir("jail/sub", 0755));
    T(mkdir("jail/sub/deep", 0755));
    mk("file", "outside");
    mk("jail/file", "jail");
    mk("jail/sub/file", "sub");
    T(symlink("/file", "jail/abs"));
    T(symlink("../../../../file", "jail/up"));
    T(symlink("/sub/file", "jail/sub/abs2"));
    T(chroot("file"));
    T(chroot("missing"));
    T(chroot(""));
    fflush(stdout);
    pid_t p = fork();
    if (p == 0) {
        int outside = open(".", O_RDONLY | O_DIRECTORY);
        T(chroot("jail"));
        printf("after chroot, before chdir:\n");
        pwd();
        cat("file");
        cat("jail/file");
        cat("/file");
        T(chdir("/"));
        pwd();
        cat("file");
        cat("/file");
        cat("/../../../file");
        cat("../file");
        cat("abs");
        cat("up");
        cat("sub/abs2");
        T(chdir(".."));
        pwd();
        T(chdir("../../.."));
        pwd();
        struct stat a, b;
        S("/.. is /", stat("/..", &a) == 0 && stat("/", &b) == 0 && a.st_ino == b.st_ino);
        T(stat("/proc", &a));
        T(stat("/jail", &a));
        T(chdir("sub/deep"));
        pwd();
        T(chdir("/sub"));
        pwd();
        /* nested chroot into sub */
        T(chroot("."));
        T(chdir("/"));
        pwd();
        cat("/file");
        cat("/abs2");
        cat("../../file");
        /* a descriptor from before the chroot still reaches outside */
        T(fchdir(outside));
        pwd();
        cat("file");
        cat("jail/sub/file");
        T(chdir("/"));
        pwd();
        cat("file");
        fflush(stdout);
        _exit(0);
    }
    int st;
    waitpid(p, &st, 0);
    printf("child exit %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    /* the parent's root is unchanged */
    cat("file");
    cat("jail/file");
    return 0;
}

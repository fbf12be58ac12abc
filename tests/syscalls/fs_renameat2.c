// renameat2(2) via syscall(): RENAME_NOREPLACE (EEXIST, also for dangling
// symlinks), RENAME_EXCHANGE (files, file<->dir, ENOENT when one side is
// missing, dir into own subtree), invalid flag combinations (EINVAL).
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

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE 1
#define RENAME_EXCHANGE 2
#define RENAME_WHITEOUT 4
#endif

static int r2(int od, const char *o, int nd, const char *n, unsigned fl) {
    return syscall(SYS_renameat2, od, o, nd, n, fl);
}

static void mk(const char *p, const char *content) {
    int fd = open(p, O_CREAT | O_WRONLY | O_TRUNC, 0644);
    if (write(fd, content, strlen(content)) < 0) printf("write failed\n");
    close(fd);
}

static void cat(const char *p) {
    char buf[64] = {0};
    struct stat s;
    if (lstat(p, &s) < 0) {
        printf("%s: missing\n", p);
        return;
    }
    if (S_ISDIR(s.st_mode)) {
        printf("%s: dir\n", p);
        return;
    }
    if (S_ISLNK(s.st_mode)) {
        if (readlink(p, buf, sizeof buf - 1) < 0) printf("readlink failed\n");
        printf("%s: link -> %s\n", p, buf);
        return;
    }
    int fd = open(p, O_RDONLY);
    if (read(fd, buf, sizeof buf - 1) < 0) printf("read failed\n");
    close(fd);
    printf("%s: \"%s\"\n", p, buf);
}

int main(void) {
    int cwd = AT_FDCWD;
    umask(022);
    mk("a", "A");
    mk("b", "B");
    T(mkdir("d", 0755));
    mk("d/inner", "I");
    T(mkdir("d/sub", 0755));
    T(mkdir("e", 0755));
    T(symlink("nowhere", "dangle"));

    /* RENAME_NOREPLACE */
    T(r2(cwd, "a", cwd, "b", RENAME_NOREPLACE));
    T(r2(cwd, "a", cwd, "dangle", RENAME_NOREPLACE));
    T(r2(cwd, "a", cwd, "d", RENAME_NOREPLACE));
    T(r2(cwd, "a", cwd, "c", RENAME_NOREPLACE));
    cat("a");
    cat("c");
    T(r2(cwd, "c", cwd, "a", RENAME_NOREPLACE));
    T(r2(cwd, "missing", cwd, "z", RENAME_NOREPLACE));
    T(r2(cwd, "a", cwd, "a", RENAME_NOREPLACE));

    /* RENAME_EXCHANGE */
    T(r2(cwd, "a", cwd, "b", RENAME_EXCHANGE));
    cat("a");
    cat("b");
    T(r2(cwd, "a", cwd, "d", RENAME_EXCHANGE));
    cat("a");
    cat("d");
    cat("a/inner");
    T(r2(cwd, "a", cwd, "d", RENAME_EXCHANGE));
    cat("d/inner");
    T(r2(cwd, "a", cwd, "dangle", RENAME_EXCHANGE));
    cat("a");
    cat("dangle");
    T(r2(cwd, "a", cwd, "dangle", RENAME_EXCHANGE));
    T(r2(cwd, "a", cwd, "missing", RENAME_EXCHANGE));
    T(r2(cwd, "missing", cwd, "a", RENAME_EXCHANGE));
    T(r2(cwd, "a", cwd, "a", RENAME_EXCHANGE));
    cat("a");
    /* Exchanging non-empty dirs is fine; exchanging with an ancestor is not. */
    T(mkdir("e/x", 0755));
    T(r2(cwd, "d", cwd, "e", RENAME_EXCHANGE));
    cat("e/inner");
    cat("d/x");
    T(r2(cwd, "e", cwd, "e/sub", RENAME_EXCHANGE));
    T(r2(cwd, "e/sub", cwd, "e", RENAME_EXCHANGE));
    /* Across directories with dirfds. */
    int de = open("e", O_RDONLY | O_DIRECTORY);
    int dd = open("d", O_RDONLY | O_DIRECTORY);
    T(r2(de, "inner", dd, "x", RENAME_EXCHANGE));
    cat("e/inner");
    cat("d/x");
    cat("e/x");
    cat("d/inner");
    T(r2(dd, "inner", de, "inner", RENAME_EXCHANGE));
    cat("d/inner");
    cat("e/inner");

    /* Invalid flags. */
    T(r2(cwd, "a", cwd, "b", RENAME_NOREPLACE | RENAME_EXCHANGE));
    T(r2(cwd, "a", cwd, "b", 0x100));
    T(r2(cwd, "a", cwd, "b", RENAME_EXCHANGE | RENAME_WHITEOUT));
    /* Flags 0 behave like renameat. */
    T(r2(cwd, "a", cwd, "b", 0));
    cat("a");
    cat("b");
    T(r2(cwd, "b", cwd, ".", 0));
    T(r2(cwd, ".", cwd, "q", 0));
    T(r2(cwd, "b", cwd, "d/", RENAME_NOREPLACE));
    T(r2(cwd, "b/", cwd, "q", 0));
    close(de);
    close(dd);
    return 0;
}

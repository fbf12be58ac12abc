// rename(2) edge cases: over an existing file (replaced atomically, old inode
// kept alive by an open fd), dir over empty dir, dir over non-empty dir
// (ENOTEMPTY), file over dir (EISDIR), dir over file (ENOTDIR), into its own
// subdirectory (EINVAL), hard links to the same file (no-op), symlinks renamed
// not followed, "." and ".." (EBUSY), trailing slashes, and nlink bookkeeping.
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

static void mk(const char *p, const char *content) {
    int fd = open(p, O_CREAT | O_WRONLY | O_TRUNC, 0644);
    if (write(fd, content, strlen(content)) < 0) printf("write failed\n");
    close(fd);
}

static void cat(const char *p) {
    char buf[64] = {0};
    struct stat s;
    if (lstat(p, &s) < 0) {
        printf("  %s: missing\n", p);
        return;
    }
    if (S_ISDIR(s.st_mode)) {
        printf("  %s: dir nlink %ld\n", p, (long)s.st_nlink);
        return;
    }
    if (S_ISLNK(s.st_mode)) {
        if (readlink(p, buf, sizeof buf - 1) < 0) printf("readlink failed\n");
        printf("  %s: link -> %s\n", p, buf);
        return;
    }
    int fd = open(p, O_RDONLY);
    if (read(fd, buf, sizeof buf - 1) < 0) printf("read failed\n");
    close(fd);
    printf("  %s: \"%s\" nlink %ld\n", p, buf, (long)s.st_nlink);
}

int main(void) {
    umask(022);
    mk("a", "A");
    mk("b", "B");
    /* Over an existing file; an open fd keeps the old one readable. */
    int fb = open("b", O_RDONLY);
    T(rename("a", "b"));
    cat("a");
    cat("b");
    char buf[8] = {0};
    V(read(fb, buf, sizeof buf));
    printf("  old b through open fd: %s\n", buf);
    struct stat s;
    fstat(fb, &s);
    printf("  old b nlink %ld\n", (long)s.st_nlink);
    close(fb);
    /* Same file: no-op. */
    T(rename("b", "b"));
    T(link("b", "b2"));
    T(rename("b", "b2"));
    cat("b");
    cat("b2");
    /* Directories */
    T(mkdir("d1", 0755));
    mk("d1/in", "IN");
    T(mkdir("empty", 0755));
    T(mkdir("full", 0755));
    mk("full/x", "X");
    T(rename("d1", "full"));
    T(rename("d1", "empty"));
    cat("d1");
    cat("empty");
    cat("empty/in");
    T(rename("empty", "d1"));
    T(rename("b", "d1"));
    T(rename("d1", "b"));
    T(rename("b", "d1/"));
    T(rename("d1", "b/"));
    T(rename("d1", "d1/sub"));
    T(mkdir("d1/sub", 0755));
    T(rename("d1", "d1/sub/deeper"));
    T(rename("d1/sub", "d1/sub/deeper"));
    T(rename("d1", "d1"));
    T(rename("d1/", "d1"));
    T(rename("d1/sub/..", "x"));
    T(rename(".", "x"));
    T(rename("..", "x"));
    T(rename("b", "."));
    T(rename("b", "d1/."));
    T(rename("d1/sub", ".."));
    T(rename("missing", "x"));
    T(rename("b", "missing/x"));
    T(rename("b", "b/x"));
    T(rename("b/", "x"));
    T(rename("", "x"));
    T(rename("b", ""));
    /* Parent nlink bookkeeping when a dir moves between parents. */
    T(mkdir("p1", 0755));
    T(mkdir("p2", 0755));
    T(mkdir("p1/c", 0755));
    cat("p1");
    cat("p2");
    T(rename("p1/c", "p2/c"));
    cat("p1");
    cat("p2");
    /* Replacing an empty dir drops a link from the target's parent too. */
    T(mkdir("p1/e", 0755));
    cat("p1");
    T(rename("p2/c", "p1/e"));
    cat("p1");
    cat("p2");
    /* Trailing slashes on directories are fine. */
    T(rename("p1/e/", "p2/e/"));
    cat("p2/e");
    /* Symlinks are renamed, not followed. */
    T(symlink("b", "lb"));
    T(symlink("p2", "lp2"));
    T(rename("lb", "lb2"));
    cat("lb2");
    cat("b");
    T(rename("lp2", "moved"));
    cat("moved");
    cat("p2");
    T(rename("b", "moved"));
    cat("moved");
    T(symlink("nowhere", "dangle"));
    T(rename("dangle", "dangle2"));
    cat("dangle2");
    mk("c", "C");
    T(rename("c", "dangle2"));
    cat("dangle2");
    S("nowhere not created", access("nowhere", F_OK) != 0);
    /* Renaming through a symlinked directory in the path. */
    T(symlink("p2", "lp"));
    mk("p2/viaf", "V");
    T(rename("lp/viaf", "lp/viag"));
    cat("p2/viag");
    return 0;
}

// Hard links: st_nlink after link/unlink, shared inode and content, EPERM on
// directories, EEXIST, ENOENT, link() of a symlink links the symlink itself
// while linkat(AT_SYMLINK_FOLLOW) links its target; data survives unlinks.
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

static long nl(const char *p) {
    struct stat s;
    return lstat(p, &s) < 0 ? -errno : (long)s.st_nlink;
}

int main(void) {
    struct stat a, b;
    umask(022);
    int fd = open("f", O_CREAT | O_RDWR, 0644);
    T(write(fd, "data", 4));
    printf("nlink f: %ld\n", nl("f"));
    T(link("f", "g"));
    T(link("f", "h"));
    printf("nlink f g h: %ld %ld %ld\n", nl("f"), nl("g"), nl("h"));
    T(fstat(fd, &a));
    printf("fstat nlink: %ld\n", (long)a.st_nlink);
    S("same inode", stat("f", &a) == 0 && stat("h", &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev);
    /* Writing through one name is visible through the others. */
    T(write(fd, "more", 4));
    S("g has size 8", stat("g", &a) == 0 && a.st_size == 8);
    T(unlink("f"));
    printf("nlink g h: %ld %ld\n", nl("g"), nl("h"));
    T(unlink("g"));
    T(fstat(fd, &a));
    printf("fstat nlink after 2 unlinks: %ld\n", (long)a.st_nlink);
    T(unlink("h"));
    T(fstat(fd, &a));
    printf("fstat nlink after last unlink: %ld\n", (long)a.st_nlink);
    char buf[16] = {0};
    V(pread(fd, buf, sizeof buf, 0));
    printf("content of unlinked file: %s\n", buf);
    close(fd);

    /* Errors. */
    T(mkdir("d", 0755));
    T(link("d", "d2"));
    T(link("d/", "d2"));
    T(link("missing", "x"));
    fd = open("f", O_CREAT | O_WRONLY, 0644);
    close(fd);
    T(link("f", "f"));
    T(link("f", "d"));
    T(link("f", "d/"));
    T(link("f", "nodir/x"));
    T(link("f", "f/x"));
    T(link("f/", "x"));
    T(link("f", ""));
    T(link("", "x"));
    T(link("f", "d/f"));
    printf("nlink f: %ld\n", nl("f"));

    /* Symlinks: link() does not follow; AT_SYMLINK_FOLLOW does. */
    T(symlink("f", "sl"));
    T(link("sl", "sl_hard"));
    S("sl_hard is a symlink", lstat("sl_hard", &a) == 0 && S_ISLNK(a.st_mode));
    printf("nlink sl f: %ld %ld\n", nl("sl"), nl("f"));
    T(linkat(AT_FDCWD, "sl", AT_FDCWD, "sl_follow", AT_SYMLINK_FOLLOW));
    S("sl_follow is a regular file", lstat("sl_follow", &a) == 0 && S_ISREG(a.st_mode));
    printf("nlink f: %ld\n", nl("f"));
    T(linkat(AT_FDCWD, "sl", AT_FDCWD, "sl_nf", 0));
    S("sl_nf is a symlink", lstat("sl_nf", &a) == 0 && S_ISLNK(a.st_mode));
    T(symlink("nowhere", "dangle"));
    T(linkat(AT_FDCWD, "dangle", AT_FDCWD, "dangle_f", AT_SYMLINK_FOLLOW));
    T(linkat(AT_FDCWD, "dangle", AT_FDCWD, "dangle_h", 0));
    S("dangle_h is a symlink", lstat("dangle_h", &a) == 0 && S_ISLNK(a.st_mode));
    T(symlink("d", "sd"));
    T(linkat(AT_FDCWD, "sd", AT_FDCWD, "sd_f", AT_SYMLINK_FOLLOW));
    T(linkat(AT_FDCWD, "sd", AT_FDCWD, "sd_h", 0));
    /* link over an existing dangling symlink name is EEXIST, not creating its target */
    T(link("f", "dangle"));
    S("nowhere not created", lstat("nowhere", &a) != 0);

    /* Directory nlink: 2 plus one per subdirectory; links to files don't count. */
    printf("nlink d: %ld\n", nl("d"));
    T(mkdir("d/s1", 0755));
    T(mkdir("d/s2", 0755));
    printf("nlink d after 2 subdirs: %ld\n", nl("d"));
    T(rmdir("d/s1"));
    printf("nlink d after rmdir: %ld\n", nl("d"));
    printf("nlink d/s2: %ld\n", nl("d/s2"));
    T(rename("d/s2", "s2"));
    printf("nlink d after moving s2 out: %ld\n", nl("d"));
    return 0;
}

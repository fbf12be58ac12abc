// Directories removed while in use: readdir on an open, deleted directory
// (ENOENT from getdents64), fstat nlink 0, a deleted cwd (getcwd ENOENT, no
// new entries, "." still stats, ".." still leads to the parent), fchdir into
// a deleted directory, and a directory replaced by rename while open.
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
#include <dirent.h>

#include "common.h"

int main(void) {
    char top[4096], buf[4096];
    if (!getcwd(top, sizeof top)) return 1;
    umask(022);
    T(mkdir("d", 0755));
    int fd = open("d/f", O_CREAT | O_WRONLY, 0644);
    close(fd);
    DIR *dp = opendir("d");
    struct dirent *e = readdir(dp);
    S("first readdir ok", e != NULL);
    int dfd = open("d", O_RDONLY | O_DIRECTORY);
    T(unlink("d/f"));
    T(rmdir("d"));
    struct stat s;
    T(fstat(dfd, &s));
    printf("nlink after rmdir: %ld, still a dir: %d\n", (long)s.st_nlink, S_ISDIR(s.st_mode));
    T(syscall(SYS_getdents64, dfd, buf, sizeof buf));
    V(lseek(dfd, 0, SEEK_SET));
    T(syscall(SYS_getdents64, dfd, buf, sizeof buf));
    rewinddir(dp);
    errno = 0;
    e = readdir(dp);
    printf("readdir after rmdir: %s errno %s\n", e ? e->d_name : "NULL", en(errno));
    closedir(dp);
    T(openat(dfd, "new", O_CREAT | O_WRONLY, 0644));
    T(openat(dfd, "f", O_RDONLY));
    T(fstatat(dfd, ".", &s, 0));
    T(fstatat(dfd, "..", &s, 0));
    struct stat topst;
    stat(".", &topst);
    S("\"..\" of the deleted dir is the scratch dir", s.st_ino == topst.st_ino);

    /* fchdir into the deleted directory. */
    T(fchdir(dfd));
    T(syscall(SYS_getcwd, buf, sizeof buf));
    errno = 0;
    char *c = getcwd(buf, sizeof buf);
    printf("getcwd(): %s %s\n", c ? "ok" : "NULL", c ? "" : en(errno));
    T(open("x", O_CREAT | O_WRONLY, 0644));
    T(mkdir("sub", 0755));
    T(stat(".", &s));
    printf("nlink of deleted cwd: %ld\n", (long)s.st_nlink);
    T(stat("..", &s));
    T(chdir(".."));
    S("back at scratch", getcwd(buf, sizeof buf) && strcmp(buf, top) == 0);
    close(dfd);

    /* chdir into a dir, then remove it from outside (by path). */
    T(mkdir("e", 0755));
    T(chdir("e"));
    T(rmdir("../e"));
    T(syscall(SYS_getcwd, buf, sizeof buf));
    T(open("y", O_CREAT | O_WRONLY, 0644));
    T(chdir(top));

    /* A directory renamed over while open: the old one is gone, the fd still works. */
    T(mkdir("g", 0755));
    T(mkdir("h", 0755));
    fd = open("h/inh", O_CREAT | O_WRONLY, 0644);
    close(fd);
    int gfd = open("g", O_RDONLY | O_DIRECTORY);
    T(rename("h", "g"));
    T(fstat(gfd, &s));
    printf("replaced dir nlink: %ld\n", (long)s.st_nlink);
    T(syscall(SYS_getdents64, gfd, buf, sizeof buf));
    T(faccessat(gfd, "inh", F_OK, 0));
    T(access("g/inh", F_OK));
    close(gfd);
    /* rmdir of the cwd by "." is EINVAL, by another name it works. */
    T(mkdir("k", 0755));
    T(chdir("k"));
    T(rmdir("."));
    T(rmdir("../k"));
    T(stat(".", &s));
    printf("nlink: %ld\n", (long)s.st_nlink);
    T(chdir(top));
    T(access("k", F_OK));
    return 0;
}

// open(2) flag semantics: O_NOFOLLOW (ELOOP on a final symlink only), O_DIRECTORY,
// O_CREAT|O_EXCL on existing files and dangling symlinks, O_CREAT through a
// dangling symlink creating its target, O_TRUNC, O_APPEND, EISDIR cases.
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

static long fsize(const char *p) {
    struct stat s;
    return stat(p, &s) < 0 ? -1 : (long)s.st_size;
}

static int lexists(const char *p) {
    struct stat s;
    return lstat(p, &s) == 0;
}

#define OPEN(...) do { errno = 0; int fd_ = open(__VA_ARGS__); \
    if (fd_ < 0) printf("open(%s) = -1 %s\n", #__VA_ARGS__, en(errno)); \
    else { printf("open(%s) = ok\n", #__VA_ARGS__); close(fd_); } } while (0)

int main(void) {
    umask(022);
    T(mkdir("dir", 0755));
    int fd = open("file", O_CREAT | O_WRONLY, 0644);
    T(write(fd, "0123456789", 10));
    close(fd);
    T(symlink("file", "lfile"));
    T(symlink("dir", "ldir"));
    T(symlink("nowhere", "dangle"));
    T(symlink("missing/x", "dangle_deep"));
    T(symlink("lfile", "lfile2"));

    /* O_NOFOLLOW */
    OPEN("lfile", O_RDONLY | O_NOFOLLOW);
    OPEN("ldir", O_RDONLY | O_NOFOLLOW);
    OPEN("ldir", O_RDONLY | O_NOFOLLOW | O_DIRECTORY);
    OPEN("dangle", O_RDONLY | O_NOFOLLOW);
    OPEN("dangle", O_WRONLY | O_CREAT | O_NOFOLLOW, 0644);
    OPEN("ldir/", O_RDONLY | O_NOFOLLOW);
    OPEN("file", O_RDONLY | O_NOFOLLOW);
    OPEN("ldir/../file", O_RDONLY | O_NOFOLLOW);
    S("dangle target not created by O_NOFOLLOW", !lexists("nowhere"));

    /* O_DIRECTORY */
    OPEN("dir", O_RDONLY | O_DIRECTORY);
    OPEN("ldir", O_RDONLY | O_DIRECTORY);
    OPEN("file", O_RDONLY | O_DIRECTORY);
    OPEN("lfile", O_RDONLY | O_DIRECTORY);
    OPEN("dangle", O_RDONLY | O_DIRECTORY);
    OPEN("none", O_RDONLY | O_DIRECTORY);

    /* EISDIR */
    OPEN("dir", O_WRONLY);
    OPEN("dir", O_RDWR);
    OPEN("dir", O_RDONLY | O_CREAT, 0644);
    OPEN("dir", O_RDONLY | O_TRUNC);
    OPEN("ldir", O_WRONLY);
    OPEN("dir/", O_WRONLY | O_CREAT, 0644);

    /* O_CREAT | O_EXCL */
    OPEN("file", O_WRONLY | O_CREAT | O_EXCL, 0644);
    OPEN("lfile", O_WRONLY | O_CREAT | O_EXCL, 0644);
    OPEN("dir", O_RDONLY | O_CREAT | O_EXCL, 0644);
    OPEN("dangle", O_WRONLY | O_CREAT | O_EXCL, 0644);
    S("O_EXCL did not create the dangling target", !lexists("nowhere"));
    OPEN("new", O_WRONLY | O_CREAT | O_EXCL, 0600);
    OPEN("new", O_WRONLY | O_CREAT | O_EXCL, 0600);
    OPEN("file", O_RDONLY | O_EXCL);
    OPEN("nodir/new", O_WRONLY | O_CREAT, 0644);
    OPEN("file/new", O_WRONLY | O_CREAT, 0644);

    /* O_CREAT through a dangling symlink creates the target. */
    OPEN("dangle", O_WRONLY | O_CREAT, 0640);
    S("dangle target now exists", lexists("nowhere"));
    struct stat s;
    S("created target is a regular file mode 0640",
      stat("nowhere", &s) == 0 && S_ISREG(s.st_mode) && (s.st_mode & 07777) == 0640);
    S("dangle still a symlink", lstat("dangle", &s) == 0 && S_ISLNK(s.st_mode));
    OPEN("dangle_deep", O_WRONLY | O_CREAT, 0644);
    /* O_CREAT on an existing file keeps its mode. */
    OPEN("file", O_WRONLY | O_CREAT, 0600);
    S("existing file mode unchanged", stat("file", &s) == 0 && (s.st_mode & 07777) == 0644);
    S("new mode 0600", stat("new", &s) == 0 && (s.st_mode & 07777) == 0600);

    /* O_TRUNC */
    printf("size before %ld\n", fsize("file"));
    OPEN("file", O_RDONLY);
    printf("size after O_RDONLY %ld\n", fsize("file"));
    OPEN("lfile2", O_WRONLY | O_TRUNC);
    printf("size after O_TRUNC via symlink chain %ld\n", fsize("file"));
    fd = open("file", O_WRONLY);
    T(write(fd, "abcdef", 6));
    close(fd);
    fd = open("file", O_WRONLY);
    T(write(fd, "XY", 2));
    close(fd);
    char buf[64] = {0};
    fd = open("file", O_RDONLY);
    V(read(fd, buf, sizeof buf - 1));
    printf("content: %s\n", buf);
    close(fd);

    /* O_APPEND: writes land at the end regardless of the offset. */
    fd = open("file", O_WRONLY | O_APPEND);
    V(lseek(fd, 0, SEEK_SET));
    T(write(fd, "++", 2));
    V(lseek(fd, 0, SEEK_CUR));
    V(pwrite(fd, "P", 1, 0));
    close(fd);
    memset(buf, 0, sizeof buf);
    fd = open("file", O_RDONLY);
    V(read(fd, buf, sizeof buf - 1));
    printf("content: %s\n", buf);
    close(fd);

    /* Access modes are enforced on the descriptor. */
    fd = open("file", O_RDONLY);
    T(write(fd, "z", 1));
    close(fd);
    fd = open("file", O_WRONLY);
    T(read(fd, buf, 1));
    close(fd);
    fd = open("dir", O_RDONLY);
    T(read(fd, buf, 1));
    T(write(fd, buf, 1));
    close(fd);
    return 0;
}

// stat/lstat/fstat: file type bits for regular files, dirs, symlinks, FIFOs and
// sockets (mknod and mkfifo), permission bits, st_size of files and symlinks,
// size after writes and lseek-past-end writes, st_blocks > 0, mtime changing
// after a write, and mknod's error cases.
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

static const char *type(mode_t m) {
    return S_ISREG(m) ? "reg" : S_ISDIR(m) ? "dir" : S_ISLNK(m) ? "lnk" : S_ISFIFO(m) ? "fifo"
         : S_ISSOCK(m) ? "sock" : S_ISCHR(m) ? "chr" : S_ISBLK(m) ? "blk" : "?";
}

static void show(const char *p) {
    struct stat s, l;
    int r1 = stat(p, &s), e1 = errno;
    int r2 = lstat(p, &l), e2 = errno;
    printf("%-8s stat: ", p);
    if (r1 < 0) printf("-1 %s", en(e1));
    else printf("%s %04o", type(s.st_mode), (unsigned)(s.st_mode & 07777));
    printf("  lstat: ");
    if (r2 < 0) printf("-1 %s", en(e2));
    else printf("%s %04o", type(l.st_mode), S_ISLNK(l.st_mode) ? 0777 : (unsigned)(l.st_mode & 07777));
    if (r1 == 0 && S_ISREG(s.st_mode)) printf(" size %lld", (long long)s.st_size);
    if (r2 == 0 && S_ISLNK(l.st_mode)) printf(" linksize %lld", (long long)l.st_size);
    printf("\n");
}

int main(void) {
    umask(0);
    int fd = open("reg", O_CREAT | O_RDWR, 0640);
    T(mkdir("dir", 0751));
    T(symlink("reg", "lnk"));
    T(symlink("dir", "lnkdir"));
    T(symlink("nothing", "dangle"));
    T(mkfifo("fifo", 0604));
    T(mknod("fifo2", S_IFIFO | 0620, 0));
    T(mknod("sock", S_IFSOCK | 0700, 0));
    T(mknod("reg2", S_IFREG | 0666, 0));
    T(mknod("reg3", 0644, 0));
    T(mknod("reg", S_IFREG | 0644, 0));
    T(mknod("dir2", S_IFDIR | 0755, 0));
    T(mknod("bad", 0170000 | 0644, 0));
    T(mknod("missing/x", S_IFIFO | 0644, 0));
    T(mkfifo("fifo", 0644));
    T(mkfifo("dangle", 0644));
    show("reg");
    show("dir");
    show("lnk");
    show("lnkdir");
    show("dangle");
    show("fifo");
    show("fifo2");
    show("sock");
    show("reg2");
    show("reg3");
    umask(077);
    T(mknod("masked", S_IFIFO | 0666, 0));
    show("masked");
    umask(022);

    /* Sizes */
    struct stat s, s2;
    T(fstat(fd, &s));
    printf("empty: size %lld\n", (long long)s.st_size);
    char buf[5000];
    memset(buf, 'x', sizeof buf);
    T(write(fd, buf, 5000));
    T(fstat(fd, &s));
    printf("after 5000: size %lld, blocks > 0: %d\n", (long long)s.st_size, s.st_blocks > 0);
    T(lseek(fd, 10000, SEEK_SET));
    T(write(fd, "y", 1));
    T(fstat(fd, &s));
    printf("after write at 10000: size %lld\n", (long long)s.st_size);
    T(lseek(fd, 20000, SEEK_SET));
    T(fstat(fd, &s));
    printf("lseek alone does not grow: size %lld\n", (long long)s.st_size);
    /* mtime changes after a write (compared, not printed) */
    struct timespec old[2] = {{1000000000, 0}, {1000000000, 0}};
    T(futimens(fd, old));
    T(fstat(fd, &s));
    T(pwrite(fd, "z", 1, 0));
    T(fstat(fd, &s2));
    printf("mtime changed after write: %d, ctime changed: %d\n", s2.st_mtim.tv_sec != s.st_mtim.tv_sec,
           s2.st_ctim.tv_sec != s.st_ctim.tv_sec || s2.st_ctim.tv_nsec != s.st_ctim.tv_nsec);
    T(fstat(fd, &s));
    char c;
    T(pread(fd, &c, 1, 0));
    T(fstat(fd, &s2));
    printf("mtime unchanged by read: %d\n", s2.st_mtim.tv_sec == s.st_mtim.tv_sec && s2.st_mtim.tv_nsec == s.st_mtim.tv_nsec);
    /* fstat vs stat agree */
    T(stat("reg", &s2));
    printf("fstat and stat agree: %d\n", s.st_ino == s2.st_ino && s.st_size == s2.st_size && s.st_mode == s2.st_mode);
    /* uid/gid of new files are ours */
    printf("owner is us: %d\n", s.st_uid == getuid() && s.st_gid == getgid());
    /* fstat on pipes and sockets */
    int p[2];
    T(pipe(p));
    T(fstat(p[0], &s));
    printf("pipe: %s\n", type(s.st_mode));
    close(p[0]);
    close(p[1]);
    int fr = open("fifo", O_RDONLY | O_NONBLOCK);
    T(fstat(fr, &s));
    printf("opened fifo: %s\n", type(s.st_mode));
    close(fr);
    int dd = open("dir", O_RDONLY);
    T(fstat(dd, &s));
    printf("opened dir: %s %04o\n", type(s.st_mode), (unsigned)(s.st_mode & 07777));
    close(dd);
    close(fd);
    return 0;
}

// F_GETFL/F_SETFL: access mode and status flags as opened (O_CREAT/O_TRUNC/
// O_EXCL/O_CLOEXEC not reported), F_SETFL changing O_APPEND and O_NONBLOCK but
// not the access mode, O_APPEND taking effect on the next write, O_NONBLOCK
// on a pipe (EAGAIN), flags shared by dup'd fds but not by separate opens.
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

#define SHOWN (O_ACCMODE | O_APPEND | O_NONBLOCK | O_SYNC | O_DSYNC | O_CREAT | O_EXCL | O_TRUNC | O_NOCTTY | O_CLOEXEC | O_DIRECTORY | O_NOFOLLOW)
static void fl(const char *label, int fd) {
    int f = fcntl(fd, F_GETFL);
    if (f < 0) {
        printf("%s: -1 %s\n", label, en(errno));
        return;
    }
    printf("%s: acc %d%s%s%s%s%s%s%s%s\n", label, f & O_ACCMODE, f & O_APPEND ? " APPEND" : "",
           f & O_NONBLOCK ? " NONBLOCK" : "", (f & O_SYNC) == O_SYNC ? " SYNC" : (f & O_DSYNC) ? " DSYNC" : "",
           f & O_CREAT ? " CREAT" : "", f & O_TRUNC ? " TRUNC" : "", f & O_EXCL ? " EXCL" : "",
           f & O_CLOEXEC ? " CLOEXEC" : "", f & O_DIRECTORY ? " DIRECTORY" : "");
}

int main(void) {
    umask(022);
    int fd;
    fd = open("f", O_CREAT | O_EXCL | O_RDWR | O_TRUNC | O_CLOEXEC, 0644);
    fl("creat rdwr", fd);
    close(fd);
    fd = open("f", O_RDONLY);
    fl("rdonly", fd);
    close(fd);
    fd = open("f", O_WRONLY | O_APPEND);
    fl("wronly append", fd);
    close(fd);
    fd = open("f", O_RDWR | O_NONBLOCK | O_SYNC);
    fl("rdwr nonblock sync", fd);
    close(fd);
    fd = open("f", O_RDWR | O_DSYNC);
    fl("rdwr dsync", fd);
    close(fd);
    fd = open(".", O_RDONLY | O_DIRECTORY);
    fl("dir", fd);
    close(fd);

    /* F_SETFL */
    fd = open("f", O_RDWR);
    T(write(fd, "abc", 3));
    T(fcntl(fd, F_SETFL, O_APPEND | O_NONBLOCK));
    fl("after SETFL append|nonblock", fd);
    V(lseek(fd, 0, SEEK_SET));
    T(write(fd, "d", 1));
    V(lseek(fd, 0, SEEK_CUR));
    /* access mode and creation flags are ignored by F_SETFL */
    T(fcntl(fd, F_SETFL, O_RDONLY));
    fl("after SETFL O_RDONLY", fd);
    T(write(fd, "e", 1));
    int ro = open("f", O_RDONLY);
    T(fcntl(ro, F_SETFL, O_RDWR | O_TRUNC | O_CREAT));
    fl("ro after SETFL O_RDWR|O_TRUNC", ro);
    T(write(ro, "x", 1));
    struct stat s;
    fstat(ro, &s);
    printf("size still %lld\n", (long long)s.st_size);
    /* dup shares the flags, a separate open does not */
    int dp = dup(fd);
    T(fcntl(dp, F_SETFL, O_APPEND));
    fl("fd after SETFL on dup", fd);
    fl("separate open", ro);
    close(dp);
    close(ro);
    T(fcntl(-1, F_GETFL));
    T(fcntl(999, F_SETFL, 0));
    close(fd);

    /* O_NONBLOCK on pipes */
    int p[2];
    T(pipe(p));
    fl("pipe read end", p[0]);
    fl("pipe write end", p[1]);
    T(fcntl(p[0], F_SETFL, O_NONBLOCK));
    char c;
    T(read(p[0], &c, 1));
    T(write(p[1], "z", 1));
    V(read(p[0], &c, 1));
    T(fcntl(p[0], F_SETFL, 0));
    fl("pipe read end cleared", p[0]);
    T(pipe2(p, O_NONBLOCK | O_CLOEXEC));
    fl("pipe2 nonblock", p[0]);
    V(fcntl(p[0], F_GETFD));
    T(pipe2(p, 0x1));
    /* O_NONBLOCK on a regular file has no effect on reads */
    fd = open("f", O_RDONLY | O_NONBLOCK);
    char buf[16];
    V(read(fd, buf, sizeof buf));
    V(read(fd, buf, sizeof buf));
    close(fd);
    return 0;
}

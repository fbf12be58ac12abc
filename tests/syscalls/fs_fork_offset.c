// Descriptors across fork: parent and child share the open file description
// (offset moves for both, F_SETFL status flags shared), but descriptor flags
// (FD_CLOEXEC) and the table itself are per process (a child's close or dup2
// does not affect the parent); separate opens keep separate offsets.
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

int main(void) {
    umask(022);
    int fd = open("f", O_CREAT | O_RDWR | O_TRUNC, 0644);
    T(write(fd, "abcdefghijklmnopqrstuvwxyz", 26));
    T(lseek(fd, 0, SEEK_SET));
    int other = open("f", O_RDONLY);
    fflush(stdout);
    pid_t p = fork();
    if (p == 0) {
        char b[4] = {0};
        if (read(fd, b, 3) != 3) _exit(1);
        if (lseek(other, 20, SEEK_SET) != 20) _exit(2);
        fcntl(fd, F_SETFL, O_APPEND);
        fcntl(fd, F_SETFD, FD_CLOEXEC);
        close(other);
        dup2(fd, 50);
        _exit(strcmp(b, "abc") == 0 ? 0 : 3);
    }
    int st;
    waitpid(p, &st, 0);
    printf("child exit %d\n", WEXITSTATUS(st));
    V(lseek(fd, 0, SEEK_CUR));
    char b[8] = {0};
    T(read(fd, b, 3));
    printf("parent continues at: %s\n", b);
    V(lseek(other, 0, SEEK_CUR));
    printf("O_APPEND set by child visible: %d\n", (fcntl(fd, F_GETFL) & O_APPEND) != 0);
    V(fcntl(fd, F_GETFD));
    T(fcntl(other, F_GETFD));
    T(fcntl(50, F_GETFD));
    /* A write by the child at the shared offset moves it for the parent. */
    T(fcntl(fd, F_SETFL, 0));
    T(lseek(fd, 10, SEEK_SET));
    fflush(stdout);
    p = fork();
    if (p == 0) {
        if (write(fd, "XYZ", 3) != 3) _exit(1);
        _exit(0);
    }
    waitpid(p, &st, 0);
    V(lseek(fd, 0, SEEK_CUR));
    memset(b, 0, sizeof b);
    T(pread(fd, b, 5, 9));
    printf("content around the child's write: %s\n", b);
    /* Both write alternately with pipes as a baton: the offset interleaves. */
    int pc[2], cp[2];
    if (pipe(pc) < 0 || pipe(cp) < 0) return 1;
    T(ftruncate(fd, 0));
    T(lseek(fd, 0, SEEK_SET));
    fflush(stdout);
    p = fork();
    if (p == 0) {
        char t;
        for (int i = 0; i < 5; i++) {
            if (read(pc[0], &t, 1) != 1) _exit(1);
            if (write(fd, "c", 1) != 1) _exit(2);
            if (write(cp[1], "x", 1) != 1) _exit(3);
        }
        _exit(0);
    }
    for (int i = 0; i < 5; i++) {
        char t;
        T(write(fd, "p", 1));
        if (write(pc[1], "x", 1) != 1) return 1;
        if (read(cp[0], &t, 1) != 1) return 1;
    }
    waitpid(p, &st, 0);
    memset(b, 0, sizeof b);
    char all[16] = {0};
    T(pread(fd, all, sizeof all - 1, 0));
    printf("interleaved: %s\n", all);
    V(lseek(fd, 0, SEEK_CUR));
    /* dup'd fds share the offset too */
    int d = dup(fd);
    T(lseek(d, 2, SEEK_SET));
    V(lseek(fd, 0, SEEK_CUR));
    close(d);
    close(fd);
    close(other);
    return 0;
}

// Close-on-exec across execve: every way to set FD_CLOEXEC (O_CLOEXEC, F_SETFD,
// dup3, F_DUPFD_CLOEXEC, pipe2, SOCK_CLOEXEC, eventfd/epoll/memfd/signalfd/
// timerfd/inotify flags, close_range CLOSE_RANGE_CLOEXEC) closes the fd in the
// new image; the others survive with offset and status flags; a failed
// execve closes nothing and leaks no descriptor.
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"


#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

struct slot {
    int fd;
    const char *what;
};

static const struct slot slots[] = {
    {10, "plain open"},
    {11, "open O_CLOEXEC"},
    {12, "F_SETFD FD_CLOEXEC"},
    {13, "F_SETFD then cleared"},
    {14, "dup of a cloexec fd"},
    {15, "dup3 O_CLOEXEC"},
    {16, "F_DUPFD_CLOEXEC"},
    {17, "pipe2 O_CLOEXEC read end"},
    {18, "pipe2 O_CLOEXEC write end"},
    {19, "pipe read end"},
    {20, "pipe write end"},
    {21, "socketpair SOCK_CLOEXEC"},
    {22, "socketpair plain"},
    {23, "eventfd EFD_CLOEXEC"},
    {24, "eventfd plain"},
    {25, "epoll_create1 EPOLL_CLOEXEC"},
    {26, "memfd MFD_CLOEXEC"},
    {27, "memfd plain"},
    {28, "signalfd SFD_CLOEXEC"},
    {29, "timerfd TFD_CLOEXEC"},
    {30, "inotify IN_CLOEXEC"},
    {31, "append file, offset 7"},
    {32, "close_range CLOEXEC a"},
    {33, "close_range CLOEXEC b"},
    {34, "just past close_range"},
    {200, "high plain fd"},
};
#define NSLOTS (int)(sizeof slots / sizeof slots[0])

static void place(int fd, int want) {
    if (fd < 0) {
        printf("creating fd %d failed: %d\n", want, errno);
        return;
    }
    if (fd == want) return;
    int cloexec = fcntl(fd, F_GETFD) & FD_CLOEXEC;
    dup3(fd, want, cloexec ? O_CLOEXEC : 0);
    close(fd);
}

static int child_mode(void) {
    printf("after exec:\n");
    for (int i = 0; i < NSLOTS; i++) {
        int fd = slots[i].fd;
        int fl = fcntl(fd, F_GETFD);
        if (fl < 0) {
            printf("  %3d %-28s closed (%s)\n", fd, slots[i].what, errno == EBADF ? "EBADF" : "?");
            continue;
        }
        int st = fcntl(fd, F_GETFL);
        off_t off = lseek(fd, 0, SEEK_CUR);
        printf("  %3d %-28s open cloexec=%d append=%d nonblock=%d offset=%lld\n", fd,
               slots[i].what, fl & FD_CLOEXEC, !!(st & O_APPEND), !!(st & O_NONBLOCK),
               off < 0 ? -1LL : (long long)off);
    }
    // The inherited pipe still carries data to the parent.
    printf("write to inherited pipe: %d\n", write(20, "ok", 2) == 2);
    fflush(stdout);
    return 0;
}

int main(int argc, char **argv) {
    if (argc > 1 && !strcmp(argv[1], "--child"))
        return child_mode();
    int p[2];
    place(open(".", O_RDONLY | O_DIRECTORY), 10);
    place(open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC), 11);
    int fd = open(".", O_RDONLY | O_DIRECTORY);
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    place(fd, 12);
    fd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    fcntl(fd, F_SETFD, 0);
    place(fd, 13);
    // dup never copies FD_CLOEXEC
    fd = dup(11);
    printf("dup of cloexec fd has cloexec: %d\n", fcntl(fd, F_GETFD) & FD_CLOEXEC);
    place(fd, 14);
    printf("dup3 O_CLOEXEC: %d\n", dup3(10, 15, O_CLOEXEC) == 15);
    errno = 0;
    long r = syscall(SYS_dup3, 10, 10, 0);
    printf("raw dup3 same fd: %ld %s\n", r, en(errno));
    errno = 0;
    r = syscall(SYS_dup3, 10, 40, O_NONBLOCK);
    printf("raw dup3 bad flags: %ld %s\n", r, en(errno));
    printf("F_DUPFD_CLOEXEC from 16: %d\n", fcntl(10, F_DUPFD_CLOEXEC, 16) == 16);
    pipe2(p, O_CLOEXEC);
    place(p[0], 17);
    place(p[1], 18);
    pipe(p);
    place(p[0], 19);
    place(p[1], 20);
    int sv[2];
    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv);
    place(sv[0], 21);
    close(sv[1]);
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    place(sv[0], 22);
    close(sv[1]);
    place(eventfd(0, EFD_CLOEXEC), 23);
    place(eventfd(0, EFD_NONBLOCK), 24);
    place(epoll_create1(EPOLL_CLOEXEC), 25);
    place(memfd_create("a", MFD_CLOEXEC), 26);
    place(memfd_create("b", 0), 27);
    sigset_t ss;
    sigemptyset(&ss);
    sigaddset(&ss, SIGUSR1);
    place(signalfd(-1, &ss, SFD_CLOEXEC), 28);
    place(timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC), 29);
    place(inotify_init1(IN_CLOEXEC), 30);
    fd = open("data", O_CREAT | O_RDWR | O_APPEND, 0644);
    write(fd, "1234567", 7);
    place(fd, 31);
    place(open(".", O_RDONLY | O_DIRECTORY), 32);
    place(open(".", O_RDONLY | O_DIRECTORY), 33);
    place(open(".", O_RDONLY | O_DIRECTORY), 34);
    printf("close_range 32..33 CLOEXEC: %ld\n", syscall(SYS_close_range, 32, 33, CLOSE_RANGE_CLOEXEC));
    printf("fd 32 cloexec now: %d, fd 34: %d\n", fcntl(32, F_GETFD), fcntl(34, F_GETFD));
    place(open(".", O_RDONLY | O_DIRECTORY), 200);

    // A failed execve closes nothing and leaves no stray descriptor behind.
    int probe = open(".", O_RDONLY);
    close(probe);
    int g = open("garbage", O_CREAT | O_WRONLY, 0755);
    write(g, "garbage\n", 8);
    close(g);
    char *gav[] = {"garbage", NULL};
    char *gev[] = {NULL};
    printf("exec of garbage fails: %d\n", execve("./garbage", gav, gev) < 0 && errno == ENOEXEC);
    printf("exec of missing file fails: %d\n", execve("./missing", gav, gev) < 0 && errno == ENOENT);
    int probe2 = open(".", O_RDONLY);
    close(probe2);
    printf("lowest free fd unchanged by failed execs: %d\n", probe == probe2);
    printf("cloexec fd 11 still open after failed exec: %d\n", fcntl(11, F_GETFD) == FD_CLOEXEC);

    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        char *av[] = {argv[0], "--child", NULL};
        char *ev[] = {NULL};
        execve(argv[0], av, ev);
        _exit(127);
    }
    close(20);
    int st;
    waitpid(pid, &st, 0);
    char buf[8] = {0};
    printf("child exit status %d\n", WEXITSTATUS(st));
    printf("parent read from pipe: %zd %.2s\n", read(19, buf, sizeof buf), buf);
    return 0;
}

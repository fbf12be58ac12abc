// epoll_create/epoll_create1/epoll_ctl/epoll_wait argument checking: EINVAL,
// EEXIST, ENOENT, EPERM (regular files), EBADF, ELOOP-free self-add EINVAL,
// EPOLLEXCLUSIVE restrictions, data.u64 round trip, and that the interest
// list follows the open file description (a dup keeps it, close of the last
// reference removes it).
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common.h"

int main(void) {
    int p[2];
    alarm(10);
    pipe(p);
    struct epoll_event ev = {.events = EPOLLIN}, out[4];

    report("epoll_create(0)", syscall(SYS_epoll_create, 0));
    report("epoll_create(-1)", syscall(SYS_epoll_create, -1));
    int e1 = epoll_create(1);
    printf("epoll_create(1) ok: %d, cloexec %d\n", e1 >= 0, fcntl(e1, F_GETFD));
    report("epoll_create1(1) invalid flag", epoll_create1(1));
    int ep = epoll_create1(EPOLL_CLOEXEC);
    printf("epoll_create1(EPOLL_CLOEXEC) ok: %d, cloexec %d\n", ep >= 0, fcntl(ep, F_GETFD));

    ev.data.u64 = 0x1122334455667788ULL;
    report("ADD pipe", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
    report("ADD again", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
    report("MOD unregistered", epoll_ctl(ep, EPOLL_CTL_MOD, p[1], &ev));
    report("DEL unregistered", epoll_ctl(ep, EPOLL_CTL_DEL, p[1], &ev));
    report("ADD itself", epoll_ctl(ep, EPOLL_CTL_ADD, ep, &ev));
    report("ADD bad fd", epoll_ctl(ep, EPOLL_CTL_ADD, 999, &ev));
    report("ctl on non-epoll fd", epoll_ctl(p[0], EPOLL_CTL_ADD, p[1], &ev));
    report("ctl on bad epfd", epoll_ctl(999, EPOLL_CTL_ADD, p[1], &ev));
    report("invalid op", epoll_ctl(ep, 99, p[1], &ev));
    report("ADD NULL event", syscall(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, p[1], NULL));
    int f = open("regular", O_RDWR | O_CREAT, 0644);
    report("ADD regular file", epoll_ctl(ep, EPOLL_CTL_ADD, f, &ev));
    int d = open(".", O_RDONLY | O_DIRECTORY);
    report("ADD directory", epoll_ctl(ep, EPOLL_CTL_ADD, d, &ev));
    int null = open("/dev/null", O_RDWR);
    report("ADD /dev/null", epoll_ctl(ep, EPOLL_CTL_ADD, null, &ev));

    struct epoll_event x = {.events = EPOLLOUT | EPOLLEXCLUSIVE};
    report("ADD EPOLLEXCLUSIVE", epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &x));
    report("MOD EPOLLEXCLUSIVE fd", epoll_ctl(ep, EPOLL_CTL_MOD, p[1], &x));
    report("DEL it", epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL));
    x.events = EPOLLOUT | EPOLLEXCLUSIVE | EPOLLONESHOT;
    report("ADD EPOLLEXCLUSIVE|EPOLLONESHOT", epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &x));

    report("wait maxevents 0", epoll_wait(ep, out, 0, 0));
    report("wait maxevents -1", syscall(SYS_epoll_wait, ep, out, -1, 0));
    report("wait on non-epoll fd", epoll_wait(p[0], out, 4, 0));
    report("wait on bad fd", epoll_wait(999, out, 4, 0));
    report("wait with NULL events", syscall(SYS_epoll_wait, ep, NULL, 4, 0));

    report("wait, nothing ready", epoll_wait(ep, out, 4, 0));
    write(p[1], "a", 1);
    memset(out, 0, sizeof out);
    report("wait, pipe readable", epoll_wait(ep, out, 4, 0));
    printf("events %#x data %#llx\n", out[0].events, (unsigned long long)out[0].data.u64);

    ev.events = EPOLLOUT;
    ev.data.u64 = 7;
    report("MOD to EPOLLOUT", epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev));
    report("wait after MOD (read end never writable)", epoll_wait(ep, out, 4, 0));
    report("DEL pipe", epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));
    report("DEL again", epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));

    /* The registration belongs to the open file description. */
    ev.events = EPOLLIN;
    ev.data.u64 = 42;
    epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev);
    int dupfd = dup(p[0]);
    close(p[0]);
    memset(out, 0, sizeof out);
    report("wait after closing the fd, dup still open", epoll_wait(ep, out, 4, 0));
    printf("data still %llu\n", (unsigned long long)out[0].data.u64);
    report("DEL by the closed number", epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));
    report("DEL by the dup (never added)", epoll_ctl(ep, EPOLL_CTL_DEL, dupfd, NULL));
    close(dupfd);
    report("wait after the last reference is closed", epoll_wait(ep, out, 4, 0));

    /* The same description may be added under two numbers. */
    int q[2];
    pipe(q);
    int q2 = dup(q[0]);
    ev.data.u64 = 1;
    report("ADD q", epoll_ctl(ep, EPOLL_CTL_ADD, q[0], &ev));
    ev.data.u64 = 2;
    report("ADD dup of q", epoll_ctl(ep, EPOLL_CTL_ADD, q2, &ev));
    write(q[1], "b", 1);
    int n = epoll_wait(ep, out, 4, 0);
    uint64_t sum = 0;
    for (int i = 0; i < n; i++)
        sum += out[i].data.u64;
    printf("both registrations fire: n=%d sum=%llu\n", n, (unsigned long long)sum);
    close(ep);
    close(e1);
    return 0;
}

// epoll trigger modes: level-triggered events repeat while the condition
// holds, edge-triggered ones only on new activity, EPOLLONESHOT disarms until
// EPOLL_CTL_MOD; EPOLLHUP/EPOLLERR are reported unrequested, EPOLLRDHUP on a
// half-closed socket, and maxevents smaller than the ready list.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common.h"

static int ep;
static void waitshow(const char *what) {
    struct epoll_event out[8];
    memset(out, 0, sizeof out);
    int n = epoll_wait(ep, out, 8, 0);
    printf("%s: %d", what, n);
    if (n < 0)
        printf(" %s", en(errno));
    for (int i = 0; i < n; i++)
        printf(" {%#x, %llu}", out[i].events, (unsigned long long)out[i].data.u64);
    printf("\n");
}

static void add(int fd, unsigned ev, unsigned long long data) {
    struct epoll_event e = {.events = ev, .data.u64 = data};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e) < 0)
        printf("ADD failed: %s\n", en(errno));
}

int main(void) {
    int p[2];
    char buf[16];
    alarm(10);
    ep = epoll_create1(0);

    /* Level-triggered. */
    pipe(p);
    add(p[0], EPOLLIN, 1);
    waitshow("LT empty");
    write(p[1], "ab", 2);
    waitshow("LT after write");
    waitshow("LT again, still unread");
    read(p[0], buf, 1);
    waitshow("LT one byte left");
    read(p[0], buf, 1);
    waitshow("LT drained");
    close(p[0]);
    close(p[1]);

    /* Edge-triggered. */
    pipe(p);
    add(p[0], EPOLLIN | EPOLLET, 2);
    write(p[1], "ab", 2);
    waitshow("ET after write");
    waitshow("ET again, nothing new");
    read(p[0], buf, 1);
    waitshow("ET after partial read");
    write(p[1], "c", 1);
    waitshow("ET after new data");
    waitshow("ET again");
    close(p[1]);
    waitshow("ET writer closed");
    waitshow("ET again");
    close(p[0]);

    /* EPOLLOUT edge-triggered on a write end: fires when space appears. */
    pipe(p);
    fcntl(p[1], F_SETFL, O_NONBLOCK);
    fcntl(p[1], F_SETPIPE_SZ, 4096);
    add(p[1], EPOLLOUT | EPOLLET, 3);
    waitshow("ET EPOLLOUT initially");
    waitshow("ET EPOLLOUT again");
    static char fill[4096];
    while (write(p[1], fill, sizeof fill) > 0)
        ;
    waitshow("ET EPOLLOUT full");
    read(p[0], fill, sizeof fill);
    waitshow("ET EPOLLOUT after drain");
    close(p[0]);
    waitshow("ET reader closed");
    close(p[1]);

    /* One-shot. */
    pipe(p);
    add(p[0], EPOLLIN | EPOLLONESHOT, 4);
    write(p[1], "x", 1);
    waitshow("ONESHOT first");
    waitshow("ONESHOT disarmed");
    write(p[1], "y", 1);
    waitshow("ONESHOT disarmed, new data");
    struct epoll_event e = {.events = EPOLLIN | EPOLLONESHOT, .data.u64 = 5};
    printf("MOD rearm: %d\n", epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &e));
    waitshow("ONESHOT rearmed");
    waitshow("ONESHOT disarmed again");
    printf("ADD again while disarmed: %s\n", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &e) < 0 ? en(errno) : "ok");
    close(p[1]);
    e.events = 0;
    e.data.u64 = 6;
    epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &e);
    waitshow("events 0, writer closed (HUP still reported)");
    close(p[0]);

    /* Sockets: RDHUP after peer shutdown. */
    int sv[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    add(sv[0], EPOLLIN | EPOLLRDHUP, 7);
    waitshow("socket idle");
    send(sv[1], "m", 1, 0);
    waitshow("socket data");
    shutdown(sv[1], SHUT_WR);
    waitshow("socket data + peer SHUT_WR");
    recv(sv[0], buf, sizeof buf, 0);
    waitshow("socket drained, peer SHUT_WR");
    close(sv[1]);
    waitshow("socket peer closed");
    close(sv[0]);
    close(ep);

    /* maxevents 2 with 3 ready level-triggered fds: the rest come next. */
    ep = epoll_create1(0);
    int r[3][2];
    for (int i = 0; i < 3; i++) {
        pipe(r[i]);
        write(r[i][1], "z", 1);
        add(r[i][0], EPOLLIN, 10 + i);
    }
    struct epoll_event out[2];
    unsigned seen = 0;
    int n1 = epoll_wait(ep, out, 2, 0);
    for (int i = 0; i < n1; i++)
        seen |= 1u << (out[i].data.u64 - 10);
    int n2 = epoll_wait(ep, out, 2, 0);
    for (int i = 0; i < n2; i++)
        seen |= 1u << (out[i].data.u64 - 10);
    printf("maxevents 2: first %d, second %d, all three seen %d\n", n1, n2, seen == 7);
    return 0;
}

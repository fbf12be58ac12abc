// TCP over the loopback of a fresh network namespace (brought up with
// SIOCSIFFLAGS): several clients queued on a listen backlog and accepted in
// order, non-blocking connect (then POLLOUT and SO_ERROR, also to a closed
// port), keepalive and TCP_NODELAY options read back, SO_REUSEADDR rebinding
// a port left in TIME_WAIT, half-close both ways, buffer sizes (compared, not
// printed), MSG_PEEK and MSG_DONTWAIT, poll/select/epoll readiness including
// POLLRDHUP, socket names, and IPv6 over ::1 (TCP, UDP, IPV6_V6ONLY).
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common.h"
#include "netutil.h"

static struct sockaddr_in lo4(int port) {
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

static struct sockaddr_in6 lo6(int port) {
    struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_port = htons(port)};
    a.sin6_addr = in6addr_loopback;
    return a;
}

/* A listener on 127.0.0.1 with an ephemeral port; *port receives it. */
static int listener(int backlog, int reuse, int *port) {
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (reuse)
        setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &reuse, sizeof reuse);
    struct sockaddr_in a = lo4(*port);
    if (bind(s, (struct sockaddr *)&a, sizeof a) < 0 || listen(s, backlog) < 0) {
        printf("listener: %s\n", en(errno));
        return -1;
    }
    socklen_t al = sizeof a;
    getsockname(s, (struct sockaddr *)&a, &al);
    *port = ntohs(a.sin_port);
    return s;
}

/* A connected pair over 127.0.0.1: *c the client, *s the accepted end. */
static void tcp_pair(int *c, int *s) {
    int port = 0;
    int l = listener(1, 0, &port);
    *c = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = lo4(port);
    if (connect(*c, (struct sockaddr *)&a, sizeof a) < 0)
        printf("tcp_pair connect: %s\n", en(errno));
    *s = accept(l, NULL, NULL);
    close(l);
}

static int getint(int fd, int level, int opt) {
    int v = -1;
    socklen_t l = sizeof v;
    if (getsockopt(fd, level, opt, &v, &l) < 0)
        return -errno;
    return v;
}

static void show_revents(const char *what, int fd, short events, int timeout) {
    struct pollfd p = {.fd = fd, .events = events};
    int n = poll(&p, 1, timeout);
    printf("%s: poll %d, revents%s%s%s%s%s\n", what, n, p.revents & POLLIN ? " IN" : "",
           p.revents & POLLOUT ? " OUT" : "", p.revents & POLLRDHUP ? " RDHUP" : "",
           p.revents & POLLHUP ? " HUP" : "", p.revents & POLLERR ? " ERR" : "");
}

static void backlog(void) {
    int port = 0;
    int l = listener(8, 0, &port);
    struct sockaddr_in a = lo4(port);
    int c[4];
    for (int i = 0; i < 4; i++) {
        c[i] = socket(AF_INET, SOCK_STREAM, 0);
        int r = connect(c[i], (struct sockaddr *)&a, sizeof a);
        char b = '0' + i;
        printf("client %d connect before accept: %s, send %zd\n", i, r < 0 ? en(errno) : "0",
               send(c[i], &b, 1, 0));
    }
    for (int i = 0; i < 4; i++) {
        struct sockaddr_in peer;
        socklen_t pl = sizeof peer;
        int s = accept(l, (struct sockaddr *)&peer, &pl);
        char b = '?';
        recv(s, &b, 1, 0);
        struct sockaddr_in cn;
        socklen_t cl = sizeof cn;
        getsockname(c[i], (struct sockaddr *)&cn, &cl);
        printf("accept %d: first byte %c, peer is client %d's name: %d\n", i, b, i,
               cn.sin_port == peer.sin_port);
        close(s);
    }
    for (int i = 0; i < 4; i++)
        close(c[i]);
    /* Nothing left queued. */
    int fl = fcntl(l, F_GETFL);
    fcntl(l, F_SETFL, fl | O_NONBLOCK);
    report("accept on the empty queue (O_NONBLOCK)", accept(l, NULL, NULL));
    show_revents("listener with an empty queue", l, POLLIN, 0);
    close(l);
}

static void nonblocking_connect(void) {
    int port = 0;
    int l = listener(4, 0, &port);
    int c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    struct sockaddr_in a = lo4(port);
    int r = connect(c, (struct sockaddr *)&a, sizeof a);
    printf("non-blocking connect: 0 or EINPROGRESS: %d\n", r == 0 || errno == EINPROGRESS);
    show_revents("non-blocking connect", c, POLLOUT, 2000);
    printf("SO_ERROR after connect: %s\n", en(getint(c, SOL_SOCKET, SO_ERROR)));
    r = connect(c, (struct sockaddr *)&a, sizeof a);
    printf("connect again: %s\n", r < 0 ? en(errno) : "0");
    int s = accept(l, NULL, NULL);
    printf("accepted: %d\n", s >= 0);
    close(s);
    close(c);
    close(l);

    /* To a port nobody listens on: the error arrives through SO_ERROR. */
    c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    r = connect(c, (struct sockaddr *)&a, sizeof a);
    printf("non-blocking connect to a closed port: EINPROGRESS or ECONNREFUSED: %d\n",
           r < 0 && (errno == EINPROGRESS || errno == ECONNREFUSED));
    struct pollfd p = {.fd = c, .events = POLLOUT};
    poll(&p, 1, 2000);
    printf("closed port: POLLERR %d\n", (p.revents & POLLERR) != 0);
    printf("SO_ERROR: %s\n", en(getint(c, SOL_SOCKET, SO_ERROR)));
    printf("SO_ERROR read again: %s\n", en(getint(c, SOL_SOCKET, SO_ERROR)));
    close(c);
}

static void options(void) {
    int c, s;
    tcp_pair(&c, &s);
    printf("SO_KEEPALIVE default: %d\n", getint(c, SOL_SOCKET, SO_KEEPALIVE));
    int v = 1;
    report("set SO_KEEPALIVE", setsockopt(c, SOL_SOCKET, SO_KEEPALIVE, &v, sizeof v));
    printf("SO_KEEPALIVE: %d\n", getint(c, SOL_SOCKET, SO_KEEPALIVE));
    v = 30;
    report("set TCP_KEEPIDLE 30", setsockopt(c, IPPROTO_TCP, TCP_KEEPIDLE, &v, sizeof v));
    v = 5;
    report("set TCP_KEEPINTVL 5", setsockopt(c, IPPROTO_TCP, TCP_KEEPINTVL, &v, sizeof v));
    v = 4;
    report("set TCP_KEEPCNT 4", setsockopt(c, IPPROTO_TCP, TCP_KEEPCNT, &v, sizeof v));
    printf("TCP_KEEPIDLE %d TCP_KEEPINTVL %d TCP_KEEPCNT %d\n", getint(c, IPPROTO_TCP, TCP_KEEPIDLE),
           getint(c, IPPROTO_TCP, TCP_KEEPINTVL), getint(c, IPPROTO_TCP, TCP_KEEPCNT));
    v = 0;
    report("set TCP_KEEPIDLE 0", setsockopt(c, IPPROTO_TCP, TCP_KEEPIDLE, &v, sizeof v));
    v = 40000;
    report("set TCP_KEEPIDLE 40000", setsockopt(c, IPPROTO_TCP, TCP_KEEPIDLE, &v, sizeof v));
    v = 0;
    report("set TCP_KEEPCNT 0", setsockopt(c, IPPROTO_TCP, TCP_KEEPCNT, &v, sizeof v));
    printf("accepted end's TCP_KEEPIDLE unchanged (7200): %d\n", getint(s, IPPROTO_TCP, TCP_KEEPIDLE));

    printf("TCP_NODELAY default: %d\n", getint(c, IPPROTO_TCP, TCP_NODELAY));
    v = 1;
    report("set TCP_NODELAY", setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &v, sizeof v));
    printf("TCP_NODELAY: %d\n", getint(c, IPPROTO_TCP, TCP_NODELAY));
    v = 0;
    setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &v, sizeof v);
    printf("TCP_NODELAY cleared: %d\n", getint(c, IPPROTO_TCP, TCP_NODELAY));
    char small = 1;
    report("set TCP_NODELAY with a 1-byte optlen", setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &small, 1));
    printf("SO_TYPE %d SO_PROTOCOL %d SO_DOMAIN %d SO_ACCEPTCONN %d\n", getint(c, SOL_SOCKET, SO_TYPE),
           getint(c, SOL_SOCKET, SO_PROTOCOL), getint(c, SOL_SOCKET, SO_DOMAIN),
           getint(c, SOL_SOCKET, SO_ACCEPTCONN));

    /* Linux doubles the size asked for (bookkeeping overhead). */
    int sizes[] = {65536, 16384};
    for (int i = 0; i < 2; i++) {
        v = sizes[i];
        setsockopt(c, SOL_SOCKET, SO_RCVBUF, &v, sizeof v);
        setsockopt(c, SOL_SOCKET, SO_SNDBUF, &v, sizeof v);
        int r = getint(c, SOL_SOCKET, SO_RCVBUF), w = getint(c, SOL_SOCKET, SO_SNDBUF);
        printf("asked %d: SO_RCVBUF doubled >= requested %d, SO_SNDBUF doubled >= requested %d\n",
               sizes[i], r >= 2 * sizes[i], w >= 2 * sizes[i]);
    }
    v = 1;
    setsockopt(c, SOL_SOCKET, SO_RCVBUF, &v, sizeof v);
    printf("SO_RCVBUF 1 raised to a minimum > 1: %d\n", getint(c, SOL_SOCKET, SO_RCVBUF) > 1);
    close(c);
    close(s);
}

static void reuse_time_wait(void) {
    int port = 0;
    int l = listener(1, 1, &port);
    int c = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = lo4(port);
    connect(c, (struct sockaddr *)&a, sizeof a);
    int s = accept(l, NULL, NULL);
    close(l);
    /* The server closes first, so its end goes to TIME_WAIT. */
    close(s);
    char b;
    report("client recv after the server's close", recv(c, &b, 1, 0));
    close(c);
    usleep(20000);
    int n = socket(AF_INET, SOCK_STREAM, 0);
    report("bind the TIME_WAIT port without SO_REUSEADDR", bind(n, (struct sockaddr *)&a, sizeof a));
    int on = 1;
    setsockopt(n, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    printf("SO_REUSEADDR: %d\n", getint(n, SOL_SOCKET, SO_REUSEADDR));
    report("bind it with SO_REUSEADDR", bind(n, (struct sockaddr *)&a, sizeof a));
    report("listen on it", listen(n, 1));
    c = socket(AF_INET, SOCK_STREAM, 0);
    report("connect to the rebound port", connect(c, (struct sockaddr *)&a, sizeof a));
    close(c);
    close(n);
}

static void half_close(void) {
    int c, s;
    char buf[16];
    tcp_pair(&c, &s);
    report("client shutdown SHUT_WR", shutdown(c, SHUT_WR));
    report("server recv: EOF", recv(s, buf, sizeof buf, 0));
    report("server recv: EOF again", recv(s, buf, sizeof buf, 0));
    report("client send after SHUT_WR", send(c, "x", 1, MSG_NOSIGNAL));
    report("server send still works", send(s, "back", 4, 0));
    memset(buf, 0, sizeof buf);
    report("client recv", recv(c, buf, sizeof buf, 0));
    printf("got: %s\n", buf);
    report("server shutdown SHUT_WR", shutdown(s, SHUT_WR));
    report("client recv: EOF", recv(c, buf, sizeof buf, 0));
    report("server send after its SHUT_WR", send(s, "x", 1, MSG_NOSIGNAL));
    report("shutdown SHUT_RD", shutdown(c, SHUT_RD));
    report("shutdown bad how", shutdown(c, 7));
    close(c);
    close(s);
    int u = socket(AF_INET, SOCK_STREAM, 0);
    report("shutdown of an unconnected socket", shutdown(u, SHUT_WR));
    close(u);
}

static void peek_and_readiness(void) {
    int c, s;
    char buf[16];
    tcp_pair(&c, &s);
    report("recv MSG_DONTWAIT on empty", recv(s, buf, sizeof buf, MSG_DONTWAIT));
    show_revents("fresh connection", s, POLLIN | POLLOUT | POLLRDHUP, 0);
    fd_set r;
    FD_ZERO(&r);
    FD_SET(s, &r);
    struct timeval tv = {0, 0};
    printf("select readable before data: %d\n", select(s + 1, &r, NULL, NULL, &tv));
    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.u32 = 7};
    epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev);
    printf("epoll before data: %d\n", epoll_wait(ep, &ev, 1, 0));

    send(c, "hello", 5, 0);
    show_revents("after data", s, POLLIN | POLLOUT | POLLRDHUP, 2000);
    FD_ZERO(&r);
    FD_SET(s, &r);
    tv.tv_sec = 2;
    int n = select(s + 1, &r, NULL, NULL, &tv);
    printf("select after data: %d, readable %d\n", n, FD_ISSET(s, &r) != 0);
    memset(&ev, 0, sizeof ev);
    n = epoll_wait(ep, &ev, 1, 2000);
    printf("epoll after data: %d, data %u, IN %d RDHUP %d\n", n, ev.data.u32, (ev.events & EPOLLIN) != 0,
           (ev.events & EPOLLRDHUP) != 0);
    int avail = -1;
    ioctl(s, FIONREAD, &avail);
    printf("FIONREAD: %d\n", avail);

    memset(buf, 0, sizeof buf);
    report("recv MSG_PEEK 3", recv(s, buf, 3, MSG_PEEK));
    printf("peeked: %s\n", buf);
    memset(buf, 0, sizeof buf);
    report("recv MSG_PEEK all", recv(s, buf, sizeof buf, MSG_PEEK));
    printf("peeked: %s\n", buf);
    memset(buf, 0, sizeof buf);
    report("recv 2", recv(s, buf, 2, 0));
    printf("got: %s\n", buf);
    memset(buf, 0, sizeof buf);
    report("recv rest", recv(s, buf, sizeof buf, 0));
    printf("got: %s\n", buf);
    report("recv MSG_DONTWAIT drained", recv(s, buf, sizeof buf, MSG_DONTWAIT));

    shutdown(c, SHUT_WR);
    show_revents("after peer SHUT_WR", s, POLLIN | POLLOUT | POLLRDHUP, 2000);
    memset(&ev, 0, sizeof ev);
    n = epoll_wait(ep, &ev, 1, 2000);
    printf("epoll after peer SHUT_WR: %d, IN %d RDHUP %d HUP %d\n", n, (ev.events & EPOLLIN) != 0,
           (ev.events & EPOLLRDHUP) != 0, (ev.events & EPOLLHUP) != 0);
    report("recv: EOF", recv(s, buf, sizeof buf, 0));
    shutdown(s, SHUT_WR);
    show_revents("after both SHUT_WR", s, POLLIN | POLLOUT | POLLRDHUP, 2000);
    close(ep);
    close(c);
    close(s);
}

static void names(void) {
    int port = 0;
    int l = listener(1, 0, &port);
    int c = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a, b;
    socklen_t al = sizeof a;
    report("getpeername unconnected", getpeername(c, (struct sockaddr *)&a, &al));
    al = sizeof a;
    getsockname(c, (struct sockaddr *)&a, &al);
    printf("getsockname unbound: len %u family %d port %d addr any %d\n", al, a.sin_family,
           ntohs(a.sin_port), a.sin_addr.s_addr == htonl(INADDR_ANY));
    a = lo4(port);
    connect(c, (struct sockaddr *)&a, sizeof a);
    int s = accept(l, NULL, NULL);
    al = sizeof a;
    getsockname(c, (struct sockaddr *)&a, &al);
    socklen_t bl = sizeof b;
    getpeername(s, (struct sockaddr *)&b, &bl);
    printf("client name == server's peer: %d (len %u %u)\n",
           a.sin_port == b.sin_port && a.sin_addr.s_addr == b.sin_addr.s_addr, al, bl);
    al = sizeof a;
    getpeername(c, (struct sockaddr *)&a, &al);
    bl = sizeof b;
    getsockname(s, (struct sockaddr *)&b, &bl);
    printf("client peer == server's name: %d, port is the listener's %d\n",
           a.sin_port == b.sin_port && a.sin_addr.s_addr == b.sin_addr.s_addr, ntohs(b.sin_port) == port);
    al = 4;
    getsockname(c, (struct sockaddr *)&a, &al);
    printf("getsockname into 4 bytes: len %u\n", al);
    close(c);
    close(s);
    close(l);
}

static void ipv6(void) {
    int l = socket(AF_INET6, SOCK_STREAM, 0);
    printf("IPV6_V6ONLY default: %d\n", getint(l, IPPROTO_IPV6, IPV6_V6ONLY));
    struct sockaddr_in6 a = lo6(0);
    report("bind [::1]:0", bind(l, (struct sockaddr *)&a, sizeof a));
    int v = 1;
    report("set IPV6_V6ONLY after bind", setsockopt(l, IPPROTO_IPV6, IPV6_V6ONLY, &v, sizeof v));
    socklen_t al = sizeof a;
    getsockname(l, (struct sockaddr *)&a, &al);
    int port = ntohs(a.sin6_port);
    printf("v6 name len %u family %d loopback %d port set %d\n", al, a.sin6_family,
           IN6_IS_ADDR_LOOPBACK(&a.sin6_addr), port != 0);
    report("listen", listen(l, 1));
    int c = socket(AF_INET6, SOCK_STREAM, 0);
    report("connect [::1]", connect(c, (struct sockaddr *)&a, sizeof a));
    struct sockaddr_in6 peer, cn;
    al = sizeof peer;
    int s = accept(l, (struct sockaddr *)&peer, &al);
    socklen_t cl = sizeof cn;
    getsockname(c, (struct sockaddr *)&cn, &cl);
    printf("accepted %d, peer len %u, is client's name %d\n", s >= 0, al,
           peer.sin6_port == cn.sin6_port && IN6_ARE_ADDR_EQUAL(&peer.sin6_addr, &cn.sin6_addr));
    char buf[16] = {0};
    send(c, "six", 3, 0);
    report("v6 recv", recv(s, buf, sizeof buf, 0));
    printf("got: %s\n", buf);
    close(c);
    close(s);
    /* An IPv4 client reaches [::1]? No: it is a different address. */
    struct sockaddr_in a4 = lo4(port);
    c = socket(AF_INET, SOCK_STREAM, 0);
    report("connect 127.0.0.1 to the [::1] listener's port", connect(c, (struct sockaddr *)&a4, sizeof a4));
    close(c);
    close(l);

    /* A dual-stack listener on [::] takes IPv4 clients as v4-mapped. */
    l = socket(AF_INET6, SOCK_STREAM, 0);
    a = (struct sockaddr_in6){.sin6_family = AF_INET6, .sin6_addr = in6addr_any};
    bind(l, (struct sockaddr *)&a, sizeof a);
    al = sizeof a;
    getsockname(l, (struct sockaddr *)&a, &al);
    port = ntohs(a.sin6_port);
    listen(l, 1);
    int l4 = socket(AF_INET, SOCK_STREAM, 0);
    a4 = lo4(port);
    a4.sin_addr.s_addr = htonl(INADDR_ANY);
    report("bind 0.0.0.0 on the dual-stack port", bind(l4, (struct sockaddr *)&a4, sizeof a4));
    close(l4);
    c = socket(AF_INET, SOCK_STREAM, 0);
    a4 = lo4(port);
    report("IPv4 connect to the dual-stack listener", connect(c, (struct sockaddr *)&a4, sizeof a4));
    al = sizeof peer;
    s = accept(l, (struct sockaddr *)&peer, &al);
    printf("peer family %d v4-mapped %d, is 127.0.0.1 %d\n", peer.sin6_family, IN6_IS_ADDR_V4MAPPED(&peer.sin6_addr),
           peer.sin6_addr.s6_addr32[3] == htonl(INADDR_LOOPBACK));
    close(s);
    close(c);
    close(l);

    /* With IPV6_V6ONLY the v4 port stays free. */
    l = socket(AF_INET6, SOCK_STREAM, 0);
    report("set IPV6_V6ONLY", setsockopt(l, IPPROTO_IPV6, IPV6_V6ONLY, &v, sizeof v));
    printf("IPV6_V6ONLY: %d\n", getint(l, IPPROTO_IPV6, IPV6_V6ONLY));
    a = (struct sockaddr_in6){.sin6_family = AF_INET6, .sin6_addr = in6addr_any};
    bind(l, (struct sockaddr *)&a, sizeof a);
    al = sizeof a;
    getsockname(l, (struct sockaddr *)&a, &al);
    port = ntohs(a.sin6_port);
    listen(l, 1);
    c = socket(AF_INET, SOCK_STREAM, 0);
    a4 = lo4(port);
    report("IPv4 connect to a v6-only listener", connect(c, (struct sockaddr *)&a4, sizeof a4));
    close(c);
    l4 = socket(AF_INET, SOCK_STREAM, 0);
    a4.sin_addr.s_addr = htonl(INADDR_ANY);
    report("bind 0.0.0.0 on the v6-only port", bind(l4, (struct sockaddr *)&a4, sizeof a4));
    close(l4);
    close(l);

    /* UDP over ::1. */
    int u1 = socket(AF_INET6, SOCK_DGRAM, 0), u2 = socket(AF_INET6, SOCK_DGRAM, 0);
    a = lo6(0);
    report("udp6 bind [::1]:0", bind(u1, (struct sockaddr *)&a, sizeof a));
    al = sizeof a;
    getsockname(u1, (struct sockaddr *)&a, &al);
    report("udp6 sendto", sendto(u2, "datagram6", 9, 0, (struct sockaddr *)&a, sizeof a));
    memset(buf, 0, sizeof buf);
    struct sockaddr_in6 from, u2n;
    al = sizeof from;
    report("udp6 recvfrom", recvfrom(u1, buf, sizeof buf, 0, (struct sockaddr *)&from, &al));
    cl = sizeof u2n;
    getsockname(u2, (struct sockaddr *)&u2n, &cl);
    printf("got: %s, from len %u, u2's port %d, loopback %d\n", buf, al, from.sin6_port == u2n.sin6_port,
           IN6_IS_ADDR_LOOPBACK(&from.sin6_addr));
    struct sockaddr_in6 bad = lo6(0);
    report("udp6 sendto port 0", sendto(u2, "x", 1, 0, (struct sockaddr *)&bad, sizeof bad));
    report("udp6 sendto a short address", sendto(u2, "x", 1, 0, (struct sockaddr *)&bad, 8));
    close(u1);
    close(u2);
}

int main(void) {
    alarm(20);
    lo_up();
    backlog();
    nonblocking_connect();
    options();
    reuse_time_wait();
    half_close();
    peek_and_readiness();
    names();
    ipv6();
    return 0;
}

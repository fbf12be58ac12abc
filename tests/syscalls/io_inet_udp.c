// UDP over the loopback of a fresh network namespace (brought up with
// SIOCSIFFLAGS): sendto/recvfrom with source addresses, connected sockets
// (peer filtering, EDESTADDRREQ, AF_UNSPEC disconnect), ICMP port unreachable
// reported to a connected socket once (ECONNREFUSED on the call after the
// send, then cleared) and through IP_RECVERR's error queue, SO_BROADCAST
// (EACCES without it), MSG_TRUNC as a result and as a flag, and
// sendmmsg/recvmmsg.
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <arpa/inet.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common.h"
#include "netutil.h"

/* From <linux/errqueue.h> (musl-gcc has no kernel headers). */
struct sock_extended_err {
    unsigned int ee_errno;
    unsigned char ee_origin, ee_type, ee_code, ee_pad;
    unsigned int ee_info, ee_data;
};
#define SO_EE_ORIGIN_ICMP 2

static struct sockaddr_in lo4(int port) {
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

/* A UDP socket bound to 127.0.0.1 on an ephemeral port; *a its name. */
static int bound(struct sockaddr_in *a) {
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    *a = lo4(0);
    bind(s, (struct sockaddr *)a, sizeof *a);
    socklen_t l = sizeof *a;
    getsockname(s, (struct sockaddr *)a, &l);
    return s;
}

static int same(const struct sockaddr_in *x, const struct sockaddr_in *y) {
    return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
}

/* Waits up to 2 s for the socket to have something (data or an error). */
static void wait_event(int fd) {
    struct pollfd p = {.fd = fd, .events = POLLIN};
    poll(&p, 1, 2000);
}

/* A port with no socket bound to it: bind one, note the port, close it. */
static struct sockaddr_in closed_port(void) {
    struct sockaddr_in a;
    close(bound(&a));
    return a;
}

static void basic(void) {
    struct sockaddr_in a1, a2, a3, from;
    int u1 = bound(&a1), u2 = bound(&a2), u3 = bound(&a3);
    char buf[64];
    socklen_t fl;

    report("sendto u1", sendto(u2, "hello", 5, 0, (struct sockaddr *)&a1, sizeof a1));
    report("sendto u1, empty datagram", sendto(u3, "", 0, 0, (struct sockaddr *)&a1, sizeof a1));
    memset(buf, 0, sizeof buf);
    fl = sizeof from;
    report("recvfrom", recvfrom(u1, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl));
    printf("got: %s, from u2 %d, fromlen %u\n", buf, same(&from, &a2), fl);
    fl = sizeof from;
    report("recvfrom the empty datagram", recvfrom(u1, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl));
    printf("from u3 %d\n", same(&from, &a3));
    fl = 2;
    sendto(u2, "x", 1, 0, (struct sockaddr *)&a1, sizeof a1);
    report("recvfrom with a 2-byte address buffer", recvfrom(u1, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl));
    printf("fromlen reported: %u\n", fl);

    report("send on an unconnected socket", send(u2, "x", 1, 0));
    struct sockaddr_in pn;
    socklen_t pl = sizeof pn;
    report("getpeername unconnected", getpeername(u2, (struct sockaddr *)&pn, &pl));

    /* Connected: only the peer's datagrams are received. */
    report("connect u2 to u1", connect(u2, (struct sockaddr *)&a1, sizeof a1));
    pl = sizeof pn;
    getpeername(u2, (struct sockaddr *)&pn, &pl);
    printf("getpeername is u1: %d\n", same(&pn, &a1));
    report("u3 sendto u2 (not its peer)", sendto(u3, "stranger", 8, 0, (struct sockaddr *)&a2, sizeof a2));
    report("u1 sendto u2 (its peer)", sendto(u1, "peer", 4, 0, (struct sockaddr *)&a2, sizeof a2));
    wait_event(u2);
    memset(buf, 0, sizeof buf);
    report("u2 recv", recv(u2, buf, sizeof buf, 0));
    printf("got: %s\n", buf);
    report("u2 recv again (stranger's was dropped)", recv(u2, buf, sizeof buf, MSG_DONTWAIT));
    report("u2 send", send(u2, "via connect", 11, 0));
    report("u2 sendto u3 though connected", sendto(u2, "other", 5, 0, (struct sockaddr *)&a3, sizeof a3));
    memset(buf, 0, sizeof buf);
    fl = sizeof from;
    report("u3 recvfrom", recvfrom(u3, buf, sizeof buf, MSG_DONTWAIT, (struct sockaddr *)&from, &fl));
    printf("got: %s, from u2 %d\n", buf, same(&from, &a2));
    memset(buf, 0, sizeof buf);
    report("u1 recv", recv(u1, buf, sizeof buf, MSG_DONTWAIT));
    printf("got: %s\n", buf);

    /* AF_UNSPEC dissolves the association. */
    struct sockaddr unspec = {.sa_family = AF_UNSPEC};
    report("connect AF_UNSPEC", connect(u2, &unspec, sizeof unspec));
    pl = sizeof pn;
    report("getpeername after disconnect", getpeername(u2, (struct sockaddr *)&pn, &pl));
    report("send after disconnect", send(u2, "x", 1, 0));
    struct sockaddr_in n2;
    socklen_t nl = sizeof n2;
    getsockname(u2, (struct sockaddr *)&n2, &nl);
    printf("ephemeral local port kept after disconnect: %d\n", same(&n2, &a2));
    report("sendto port 0", sendto(u2, "x", 1, 0, (struct sockaddr *)&(struct sockaddr_in){.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)}, sizeof(struct sockaddr_in)));
    report("sendto with a short address", sendto(u2, "x", 1, 0, (struct sockaddr *)&a1, 4));
    report("sendto AF_INET6 address on AF_INET", sendto(u2, "x", 1, 0, (struct sockaddr *)&(struct sockaddr_in6){.sin6_family = AF_INET6}, sizeof(struct sockaddr_in6)));
    int big = 70000;
    static char huge[70000];
    report("sendto 70000 bytes", sendto(u2, huge, big, 0, (struct sockaddr *)&a1, sizeof a1));
    close(u1);
    close(u2);
    close(u3);
}

static void refused(void) {
    char buf[16];
    struct sockaddr_in dead = closed_port();
    int u = socket(AF_INET, SOCK_DGRAM, 0);
    report("connect to a closed port", connect(u, (struct sockaddr *)&dead, sizeof dead));
    report("first send", send(u, "a", 1, 0));
    wait_event(u);
    int e = -1;
    socklen_t el = sizeof e;
    struct pollfd p = {.fd = u, .events = POLLIN | POLLOUT};
    poll(&p, 1, 0);
    printf("revents: IN %d OUT %d ERR %d\n", (p.revents & POLLIN) != 0, (p.revents & POLLOUT) != 0,
           (p.revents & POLLERR) != 0);
    report("second send (the ICMP error)", send(u, "b", 1, 0));
    report("third send (error consumed)", send(u, "c", 1, 0));
    wait_event(u);
    report("recv (the third's ICMP error)", recv(u, buf, sizeof buf, MSG_DONTWAIT));
    report("recv again", recv(u, buf, sizeof buf, MSG_DONTWAIT));
    send(u, "d", 1, 0);
    wait_event(u);
    getsockopt(u, SOL_SOCKET, SO_ERROR, &e, &el);
    printf("SO_ERROR: %s\n", en(e));
    getsockopt(u, SOL_SOCKET, SO_ERROR, &e, &el);
    printf("SO_ERROR again: %s\n", en(e));
    close(u);

    /* An unconnected socket is not told (without IP_RECVERR). */
    u = socket(AF_INET, SOCK_DGRAM, 0);
    report("unconnected sendto a closed port", sendto(u, "a", 1, 0, (struct sockaddr *)&dead, sizeof dead));
    usleep(20000);
    report("unconnected sendto again", sendto(u, "b", 1, 0, (struct sockaddr *)&dead, sizeof dead));
    report("unconnected recv", recv(u, buf, sizeof buf, MSG_DONTWAIT));

    /* With IP_RECVERR the error is queued with its origin. */
    int on = 1;
    report("set IP_RECVERR", setsockopt(u, IPPROTO_IP, IP_RECVERR, &on, sizeof on));
    report("sendto with IP_RECVERR", sendto(u, "e", 1, 0, (struct sockaddr *)&dead, sizeof dead));
    wait_event(u);
    char cbuf[512];
    struct sockaddr_in off;
    struct iovec iov = {buf, sizeof buf};
    struct msghdr mh = {.msg_name = &off, .msg_namelen = sizeof off, .msg_iov = &iov, .msg_iovlen = 1,
                        .msg_control = cbuf, .msg_controllen = sizeof cbuf};
    memset(buf, 0, sizeof buf);
    long n = recvmsg(u, &mh, MSG_ERRQUEUE | MSG_DONTWAIT);
    report("recvmsg MSG_ERRQUEUE", n);
    if (n >= 0) {
        printf("returned payload: %.*s, flags ERRQUEUE %d, offender is the dead port %d\n", (int)n, buf,
               (mh.msg_flags & MSG_ERRQUEUE) != 0, same(&off, &dead));
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
            if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_RECVERR) {
                struct sock_extended_err *ee = (void *)CMSG_DATA(c);
                printf("extended error: errno %s origin ICMP %d type %d code %d\n", en(ee->ee_errno),
                       ee->ee_origin == SO_EE_ORIGIN_ICMP, ee->ee_type, ee->ee_code);
            } else {
                printf("cmsg level %d type %d\n", c->cmsg_level, c->cmsg_type);
            }
        }
    }
    report("recvmsg MSG_ERRQUEUE again", recvmsg(u, &mh, MSG_ERRQUEUE | MSG_DONTWAIT));
    close(u);
}

static void broadcast(void) {
    struct sockaddr_in a;
    int r = bound(&a);
    int u = socket(AF_INET, SOCK_DGRAM, 0);
    int v = -1;
    socklen_t vl = sizeof v;
    getsockopt(u, SOL_SOCKET, SO_BROADCAST, &v, &vl);
    printf("SO_BROADCAST default: %d\n", v);
    struct sockaddr_in b = a;
    b.sin_addr.s_addr = htonl(INADDR_BROADCAST);
    report("sendto 255.255.255.255 without SO_BROADCAST", sendto(u, "b", 1, 0, (struct sockaddr *)&b, sizeof b));
    int on = 1;
    report("set SO_BROADCAST", setsockopt(u, SOL_SOCKET, SO_BROADCAST, &on, sizeof on));
    getsockopt(u, SOL_SOCKET, SO_BROADCAST, &v, &vl);
    printf("SO_BROADCAST: %d\n", v);
    /* With only lo (no broadcast-capable interface, no default route). */
    report("sendto 255.255.255.255 with SO_BROADCAST", sendto(u, "b", 1, 0, (struct sockaddr *)&b, sizeof b));
    report("connect to 255.255.255.255 with SO_BROADCAST", connect(u, (struct sockaddr *)&b, sizeof b));
    close(u);
    u = socket(AF_INET, SOCK_DGRAM, 0);
    report("connect to 255.255.255.255 without SO_BROADCAST", connect(u, (struct sockaddr *)&b, sizeof b));
    close(u);

    /* Routed broadcasts: lo's 127.255.255.255, and the limited broadcast
     * from a socket bound to 127.0.0.1 (which picks lo). */
    int any = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in aa = {.sin_family = AF_INET};
    bind(any, (struct sockaddr *)&aa, sizeof aa);
    vl = sizeof aa;
    getsockname(any, (struct sockaddr *)&aa, &vl);
    struct sockaddr_in dst[2] = {aa, aa};
    dst[0].sin_addr.s_addr = inet_addr("127.255.255.255");
    dst[1].sin_addr.s_addr = htonl(INADDR_BROADCAST);
    const char *names[2] = {"127.255.255.255", "255.255.255.255 from 127.0.0.1"};
    for (int i = 0; i < 2; i++) {
        struct sockaddr_in src = lo4(0);
        u = socket(AF_INET, SOCK_DGRAM, 0);
        bind(u, (struct sockaddr *)&src, sizeof src);
        printf("%s:\n", names[i]);
        report("  sendto without SO_BROADCAST", sendto(u, "b", 1, 0, (struct sockaddr *)&dst[i], sizeof dst[i]));
        setsockopt(u, SOL_SOCKET, SO_BROADCAST, &on, sizeof on);
        report("  sendto with SO_BROADCAST", sendto(u, "B", 1, 0, (struct sockaddr *)&dst[i], sizeof dst[i]));
        struct pollfd p = {.fd = any, .events = POLLIN};
        int got = 0;
        char c;
        while (poll(&p, 1, 300) == 1 && recv(any, &c, 1, MSG_DONTWAIT) == 1)
            got++;
        printf("  datagrams received on INADDR_ANY: %d\n", got);
        close(u);
    }
    close(any);
    close(r);
}

static void truncation(void) {
    struct sockaddr_in a1, a2;
    int u1 = bound(&a1), u2 = bound(&a2);
    char buf[16];
    sendto(u2, "0123456789", 10, 0, (struct sockaddr *)&a1, sizeof a1);
    sendto(u2, "abcdefghij", 10, 0, (struct sockaddr *)&a1, sizeof a1);
    sendto(u2, "ABCDEFGHIJ", 10, 0, (struct sockaddr *)&a1, sizeof a1);
    wait_event(u1);
    int avail = -1;
    ioctl(u1, FIONREAD, &avail);
    printf("FIONREAD (first datagram): %d\n", avail);
    memset(buf, 0, sizeof buf);
    report("recv 4 of 10", recv(u1, buf, 4, 0));
    printf("got: %s\n", buf);
    memset(buf, 0, sizeof buf);
    report("recv 4 with MSG_TRUNC (real length)", recv(u1, buf, 4, MSG_TRUNC));
    printf("got: %s\n", buf);
    struct iovec iov = {buf, 4};
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
    memset(buf, 0, sizeof buf);
    report("recvmsg 4 of 10", recvmsg(u1, &mh, 0));
    printf("got: %s, msg_flags MSG_TRUNC %d\n", buf, (mh.msg_flags & MSG_TRUNC) != 0);
    report("recv MSG_TRUNC|MSG_DONTWAIT on empty", recv(u1, buf, 4, MSG_TRUNC | MSG_DONTWAIT));
    sendto(u2, "peekaboo", 8, 0, (struct sockaddr *)&a1, sizeof a1);
    wait_event(u1);
    report("recv MSG_PEEK|MSG_TRUNC into 0 bytes", recv(u1, NULL, 0, MSG_PEEK | MSG_TRUNC));
    memset(buf, 0, sizeof buf);
    report("recv whole", recv(u1, buf, sizeof buf, 0));
    printf("got: %s\n", buf);
    close(u1);
    close(u2);
}

static void mmsg(void) {
    struct sockaddr_in a1, a2;
    int u1 = bound(&a1), u2 = bound(&a2);
    const char *words[] = {"one", "three", "fifteen"};
    struct mmsghdr out[3];
    struct iovec oiov[3];
    memset(out, 0, sizeof out);
    for (int i = 0; i < 3; i++) {
        oiov[i] = (struct iovec){(void *)words[i], strlen(words[i])};
        out[i].msg_hdr.msg_iov = &oiov[i];
        out[i].msg_hdr.msg_iovlen = 1;
        out[i].msg_hdr.msg_name = &a1;
        out[i].msg_hdr.msg_namelen = sizeof a1;
    }
    report("sendmmsg 3", sendmmsg(u2, out, 3, 0));
    printf("msg_len: %u %u %u\n", out[0].msg_len, out[1].msg_len, out[2].msg_len);
    wait_event(u1);
    usleep(10000);
    struct mmsghdr in[4];
    struct iovec iiov[4];
    char bufs[4][8];
    struct sockaddr_in from[4];
    memset(in, 0, sizeof in);
    memset(bufs, 0, sizeof bufs);
    for (int i = 0; i < 4; i++) {
        iiov[i] = (struct iovec){bufs[i], 5};
        in[i].msg_hdr.msg_iov = &iiov[i];
        in[i].msg_hdr.msg_iovlen = 1;
        in[i].msg_hdr.msg_name = &from[i];
        in[i].msg_hdr.msg_namelen = sizeof from[i];
    }
    int n = recvmmsg(u1, in, 4, MSG_DONTWAIT, NULL);
    report("recvmmsg up to 4", n);
    for (int i = 0; i < n; i++)
        printf("  [%d] len %u data %s trunc %d from u2 %d\n", i, in[i].msg_len, bufs[i],
               (in[i].msg_hdr.msg_flags & MSG_TRUNC) != 0, same(&from[i], &a2));
    report("recvmmsg on empty", recvmmsg(u1, in, 4, MSG_DONTWAIT, NULL));
    /* MSG_WAITFORONE: block for the first, then take what is there. */
    sendto(u2, "solo", 4, 0, (struct sockaddr *)&a1, sizeof a1);
    n = recvmmsg(u1, in, 4, MSG_WAITFORONE, NULL);
    report("recvmmsg MSG_WAITFORONE", n);
    printf("  [0] len %u\n", in[0].msg_len);
    /* Connected socket: sendmmsg without names. */
    connect(u2, (struct sockaddr *)&a1, sizeof a1);
    for (int i = 0; i < 2; i++) {
        out[i].msg_hdr.msg_name = NULL;
        out[i].msg_hdr.msg_namelen = 0;
    }
    report("sendmmsg 2 connected", sendmmsg(u2, out, 2, 0));
    wait_event(u1);
    usleep(10000);
    report("recvmmsg", recvmmsg(u1, in, 4, MSG_DONTWAIT, NULL));
    report("sendmmsg vlen 0", sendmmsg(u2, out, 0, 0));
    close(u1);
    close(u2);
}

int main(void) {
    alarm(20);
    lo_up();
    basic();
    refused();
    broadcast();
    truncation();
    mmsg();
    return 0;
}

// AF_INET over the loopback interface of a fresh network namespace: lo starts
// down (connect gives ENETUNREACH), SIOCSIFFLAGS brings it up, then TCP
// listen/connect/accept with matching names, data both ways, ECONNREFUSED,
// EADDRINUSE, and UDP datagrams over 127.0.0.1.
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common.h"

static struct sockaddr_in lo_addr(int port) {
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

int main(void) {
    alarm(10);
    int ctl = socket(AF_INET, SOCK_DGRAM, 0);
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    strcpy(ifr.ifr_name, "lo");
    report("SIOCGIFFLAGS lo", ioctl(ctl, SIOCGIFFLAGS, &ifr));
    int up = (ifr.ifr_flags & IFF_UP) != 0;
    printf("lo up initially: %d, loopback flag %d\n", up, (ifr.ifr_flags & IFF_LOOPBACK) != 0);
    strcpy(ifr.ifr_name, "nosuchif0");
    report("SIOCGIFFLAGS nosuchif0", ioctl(ctl, SIOCGIFFLAGS, &ifr));

    int t = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = lo_addr(9);
    report("connect 127.0.0.1:9 with lo down", connect(t, (struct sockaddr *)&a, sizeof a));
    close(t);

    memset(&ifr, 0, sizeof ifr);
    strcpy(ifr.ifr_name, "lo");
    ioctl(ctl, SIOCGIFFLAGS, &ifr);
    ifr.ifr_flags |= IFF_UP;
    report("SIOCSIFFLAGS lo up", ioctl(ctl, SIOCSIFFLAGS, &ifr));
    ioctl(ctl, SIOCGIFFLAGS, &ifr);
    printf("lo up now: %d\n", (ifr.ifr_flags & IFF_UP) != 0);

    /* TCP. */
    int ls = socket(AF_INET, SOCK_STREAM, 0);
    a = lo_addr(0);
    report("bind 127.0.0.1:0", bind(ls, (struct sockaddr *)&a, sizeof a));
    socklen_t al = sizeof a;
    getsockname(ls, (struct sockaddr *)&a, &al);
    int port = ntohs(a.sin_port);
    printf("ephemeral port assigned: %d, addr is loopback %d\n", port != 0, a.sin_addr.s_addr == htonl(INADDR_LOOPBACK));
    report("listen", listen(ls, 4));
    int on = 1;
    int ls2 = socket(AF_INET, SOCK_STREAM, 0);
    a = lo_addr(port);
    report("bind the same port again", bind(ls2, (struct sockaddr *)&a, sizeof a));
    setsockopt(ls2, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    report("bind same port with SO_REUSEADDR (listener active)", bind(ls2, (struct sockaddr *)&a, sizeof a));
    close(ls2);

    int c = socket(AF_INET, SOCK_STREAM, 0);
    report("connect", connect(c, (struct sockaddr *)&a, sizeof a));
    struct sockaddr_in peer, cname;
    al = sizeof peer;
    int s = accept(ls, (struct sockaddr *)&peer, &al);
    printf("accept ok: %d, addrlen %u\n", s >= 0, al);
    al = sizeof cname;
    getsockname(c, (struct sockaddr *)&cname, &al);
    printf("accepted peer equals client's name: %d\n",
           peer.sin_port == cname.sin_port && peer.sin_addr.s_addr == cname.sin_addr.s_addr);
    al = sizeof peer;
    getpeername(c, (struct sockaddr *)&peer, &al);
    printf("client's peer is the listener port: %d\n", ntohs(peer.sin_port) == port);
    int nd = 0;
    al = sizeof nd;
    getsockopt(c, IPPROTO_TCP, TCP_NODELAY, &nd, &al);
    printf("TCP_NODELAY default: %d\n", nd);

    char buf[64] = {0};
    report("client send", send(c, "ping", 4, 0));
    report("server recv", recv(s, buf, sizeof buf, 0));
    printf("got: %s\n", buf);
    report("server send", send(s, "pong!", 5, 0));
    memset(buf, 0, sizeof buf);
    report("client recv MSG_WAITALL", recv(c, buf, 5, MSG_WAITALL));
    printf("got: %s\n", buf);
    shutdown(c, SHUT_WR);
    report("server recv after client SHUT_WR", recv(s, buf, sizeof buf, 0));
    close(s);
    report("client recv after server close", recv(c, buf, sizeof buf, 0));
    close(c);
    close(ls);

    c = socket(AF_INET, SOCK_STREAM, 0);
    report("connect to the closed port", connect(c, (struct sockaddr *)&a, sizeof a));
    close(c);

    /* UDP. */
    int u1 = socket(AF_INET, SOCK_DGRAM, 0), u2 = socket(AF_INET, SOCK_DGRAM, 0);
    a = lo_addr(0);
    bind(u1, (struct sockaddr *)&a, sizeof a);
    al = sizeof a;
    getsockname(u1, (struct sockaddr *)&a, &al);
    report("udp sendto", sendto(u2, "dgram", 5, 0, (struct sockaddr *)&a, sizeof a));
    report("udp sendto 2", sendto(u2, "two", 3, 0, (struct sockaddr *)&a, sizeof a));
    memset(buf, 0, sizeof buf);
    struct sockaddr_in from;
    al = sizeof from;
    report("udp recvfrom", recvfrom(u1, buf, sizeof buf, 0, (struct sockaddr *)&from, &al));
    struct sockaddr_in u2name;
    socklen_t l2 = sizeof u2name;
    getsockname(u2, (struct sockaddr *)&u2name, &l2);
    printf("got: %s, from u2's port %d\n", buf, from.sin_port == u2name.sin_port);
    report("udp recv 2", recv(u1, buf, sizeof buf, 0));
    report("udp recv empty", recv(u1, buf, sizeof buf, MSG_DONTWAIT));
    close(u1);
    report("udp connect to the closed port", connect(u2, (struct sockaddr *)&a, sizeof a));
    report("udp send to the closed port", send(u2, "x", 1, 0));
    usleep(10000);
    report("udp recv: ICMP port unreachable", recv(u2, buf, sizeof buf, MSG_DONTWAIT));
    return 0;
}

// Raw network access on the loopback of a fresh network namespace (brought
// up with SIOCSIFFLAGS), as root: an AF_PACKET SOCK_RAW socket bound to lo
// with ETH_P_ALL sees a UDP datagram to 127.0.0.1 leave and arrive (ethertype,
// ports and payload checked); a SOCK_RAW IPPROTO_ICMP socket sends an echo
// request it builds itself and reads the reply (type, id, sequence,
// checksum); an ICMP ping socket (SOCK_DGRAM, IPPROTO_ICMP) is EACCES until
// net.ipv4.ping_group_range admits the caller's group ("0 0" here), then
// gets its echo reply.
#include <errno.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <netinet/udp.h>
#include <netpacket/packet.h>
#include <arpa/inet.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common.h"
#include "netutil.h"

static struct sockaddr_in lo4(int port) {
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

static unsigned short csum(const void *p, int len) {
    const unsigned char *b = p;
    unsigned long s = 0;
    for (int i = 0; i + 1 < len; i += 2)
        s += (b[i] << 8) | b[i + 1];
    if (len & 1)
        s += b[len - 1] << 8;
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return htons(~s & 0xffff);
}

static void packet(void) {
    printf("-- AF_PACKET\n");
    int ps = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
    report("socket AF_PACKET SOCK_RAW ETH_P_ALL", ps);
    if (ps < 0)
        return;
    int ifindex = if_nametoindex("lo");
    printf("lo has an index: %d\n", ifindex > 0);
    struct sockaddr_ll ll = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL), .sll_ifindex = ifindex};
    report("bind to lo", bind(ps, (struct sockaddr *)&ll, sizeof ll));
    struct sockaddr_ll name;
    socklen_t nl = sizeof name;
    getsockname(ps, (struct sockaddr *)&name, &nl);
    printf("getsockname: family %d, ifindex is lo's %d, protocol ETH_P_ALL %d, hatype loopback %d\n",
           name.sll_family, name.sll_ifindex == ifindex, name.sll_protocol == htons(ETH_P_ALL),
           name.sll_hatype == 772 /* ARPHRD_LOOPBACK */);

    int rx = socket(AF_INET, SOCK_DGRAM, 0), tx = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = lo4(0);
    bind(rx, (struct sockaddr *)&a, sizeof a);
    socklen_t al = sizeof a;
    getsockname(rx, (struct sockaddr *)&a, &al);
    report("udp sendto 127.0.0.1", sendto(tx, "raw-payload", 11, 0, (struct sockaddr *)&a, sizeof a));

    int outgoing = 0, host = 0, other = 0;
    struct pollfd p = {.fd = ps, .events = POLLIN};
    while (poll(&p, 1, 300) == 1) {
        unsigned char f[2048];
        struct sockaddr_ll from;
        socklen_t fl = sizeof from;
        int n = recvfrom(ps, f, sizeof f, MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
        if (n < 0)
            break;
        struct ether_header *eh = (void *)f;
        struct iphdr *ip = (void *)(f + sizeof *eh);
        struct udphdr *uh = (void *)((unsigned char *)ip + ip->ihl * 4);
        const char *data = (const char *)(uh + 1);
        int match = n >= (int)(sizeof *eh + sizeof *ip + sizeof *uh) && ntohs(eh->ether_type) == ETHERTYPE_IP &&
                    ip->protocol == IPPROTO_UDP && uh->dest == a.sin_port && ntohs(uh->len) == 8 + 11 &&
                    memcmp(data, "raw-payload", 11) == 0;
        if (!match) {
            other++;
            continue;
        }
        printf("frame: %d bytes, ethertype 0x%04x, dst 127.0.0.1 %d, ttl %d, from lo %d, pkttype %s\n", n,
               ntohs(eh->ether_type), ip->daddr == htonl(INADDR_LOOPBACK), ip->ttl, from.sll_ifindex == ifindex,
               from.sll_pkttype == PACKET_OUTGOING ? "OUTGOING" : from.sll_pkttype == PACKET_HOST ? "HOST" : "other");
        outgoing += from.sll_pkttype == PACKET_OUTGOING;
        host += from.sll_pkttype == PACKET_HOST;
    }
    printf("matching frames: outgoing %d, host %d\n", outgoing, host);
    char buf[16] = {0};
    report("the UDP socket still gets it", recv(rx, buf, sizeof buf, MSG_DONTWAIT));

    /* Sending a frame of our own through the packet socket. */
    unsigned char frame[64];
    memset(frame, 0, sizeof frame);
    struct ether_header *eh = (void *)frame;
    eh->ether_type = htons(0x88b5); /* local experimental ethertype */
    memcpy(frame + sizeof *eh, "hand-made", 9);
    int ps2 = socket(AF_PACKET, SOCK_RAW, htons(0x88b5));
    struct sockaddr_ll l2 = {.sll_family = AF_PACKET, .sll_protocol = htons(0x88b5), .sll_ifindex = ifindex};
    bind(ps2, (struct sockaddr *)&l2, sizeof l2);
    report("send a raw frame on lo", sendto(ps, frame, sizeof frame, 0, (struct sockaddr *)&l2, sizeof l2));
    struct pollfd p2 = {.fd = ps2, .events = POLLIN};
    poll(&p2, 1, 1000);
    unsigned char in[128];
    struct sockaddr_ll from;
    socklen_t fl = sizeof from;
    int n = recvfrom(ps2, in, sizeof in, MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
    report("a socket for that ethertype receives it", n);
    if (n > 0)
        printf("payload matches %d, pkttype HOST %d\n", memcmp(in + sizeof *eh, "hand-made", 9) == 0,
               from.sll_pkttype == PACKET_HOST);
    report("sendto ifindex 0", sendto(ps, frame, sizeof frame, 0, (struct sockaddr *)&(struct sockaddr_ll){.sll_family = AF_PACKET}, sizeof(struct sockaddr_ll)));
    close(ps2);
    close(rx);
    close(tx);
    close(ps);

    int dg = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_IP));
    report("socket AF_PACKET SOCK_DGRAM ETH_P_IP", dg);
    close(dg);
}

static void echo_request(unsigned char *pkt, int id, int seq) {
    struct icmphdr *ic = (void *)pkt;
    memset(pkt, 0, 8 + 16);
    ic->type = ICMP_ECHO;
    ic->un.echo.id = htons(id);
    ic->un.echo.sequence = htons(seq);
    memcpy(pkt + 8, "ruml-ping-data!!", 16);
    ic->checksum = csum(pkt, 8 + 16);
}

static void raw_icmp(void) {
    printf("-- SOCK_RAW IPPROTO_ICMP\n");
    int s = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
    report("socket", s);
    if (s < 0)
        return;
    unsigned char pkt[64];
    echo_request(pkt, 0x1234, 7);
    struct sockaddr_in a = lo4(0);
    report("sendto 127.0.0.1 echo request", sendto(s, pkt, 8 + 16, 0, (struct sockaddr *)&a, sizeof a));
    struct pollfd p = {.fd = s, .events = POLLIN};
    int seen = 0;
    while (seen < 4 && poll(&p, 1, 300) == 1) {
        unsigned char b[256];
        struct sockaddr_in from;
        socklen_t fl = sizeof from;
        int n = recvfrom(s, b, sizeof b, MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
        if (n < 0)
            break;
        struct iphdr *ip = (void *)b;
        struct icmphdr *ic = (void *)(b + ip->ihl * 4);
        int ilen = n - ip->ihl * 4;
        printf("received %d bytes: IP header %d, from 127.0.0.1 %d, ICMP type %d code %d, id 0x%x seq %d, "
               "checksum ok %d, data ok %d\n",
               n, ip->ihl * 4, from.sin_addr.s_addr == htonl(INADDR_LOOPBACK), ic->type, ic->code,
               ntohs(ic->un.echo.id), ntohs(ic->un.echo.sequence), csum(ic, ilen) == 0,
               ilen == 24 && memcmp((unsigned char *)ic + 8, "ruml-ping-data!!", 16) == 0);
        seen++;
    }
    printf("ICMP packets seen: %d\n", seen);
    int hdr = -1;
    socklen_t hl = sizeof hdr;
    getsockopt(s, IPPROTO_IP, IP_HDRINCL, &hdr, &hl);
    printf("IP_HDRINCL: %d\n", hdr);
    close(s);
}

static void ping_socket(const char *when) {
    int s = socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
    printf("ping socket %s: %s\n", when, s < 0 ? en(errno) : "ok");
    if (s < 0)
        return;
    unsigned char pkt[64];
    echo_request(pkt, 0, 3); /* the kernel puts its own id in */
    struct sockaddr_in a = lo4(0);
    report("  sendto echo request", sendto(s, pkt, 8 + 16, 0, (struct sockaddr *)&a, sizeof a));
    struct pollfd p = {.fd = s, .events = POLLIN};
    poll(&p, 1, 1000);
    unsigned char b[128];
    int n = recv(s, b, sizeof b, MSG_DONTWAIT);
    report("  recv", n);
    struct sockaddr_in name;
    socklen_t nl = sizeof name;
    getsockname(s, (struct sockaddr *)&name, &nl);
    if (n >= 8) {
        struct icmphdr *ic = (void *)b;
        printf("  reply: type %d code %d, seq %d, id is the socket's port %d, data ok %d\n", ic->type, ic->code,
               ntohs(ic->un.echo.sequence), ic->un.echo.id == name.sin_port,
               n == 24 && memcmp(b + 8, "ruml-ping-data!!", 16) == 0);
    }
    close(s);
}

int main(void) {
    alarm(20);
    printf("uid %d\n", getuid());
    lo_up();
    packet();
    raw_icmp();
    printf("-- ping socket\n");
    char range[64];
    slurp_into("/proc/sys/net/ipv4/ping_group_range", range, sizeof range);
    int lo = -1, hi = -1;
    sscanf(range, "%d %d", &lo, &hi);
    printf("ping_group_range is empty: %d\n", lo > hi);
    ping_socket("with the default range");
    /* Group 0 only: every gid beyond the guest's own may be unmapped in the
     * namespace (io_ping_group_range writes the whole range, as root). */
    write_range("0 0");
    slurp_into("/proc/sys/net/ipv4/ping_group_range", range, sizeof range);
    sscanf(range, "%d %d", &lo, &hi);
    printf("range admits our gid: %d\n", lo <= (int)getgid() && (int)getgid() <= hi);
    ping_socket("after widening the range");
    return 0;
}

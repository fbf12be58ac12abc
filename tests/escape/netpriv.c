/* Finding 8 of the isolation issue: to the host kernel every guest process
 * was root of the VM's namespaces with every capability, so an ordinary
 * guest user could add addresses and routes through netlink, bind port 80,
 * set SO_MARK or IP_TRANSPARENT. Guest processes now hold no host
 * capability; what guest root may do ruml does for it. This program tries
 * each as the user it runs as: root must succeed, anyone else must fail. */
#include "escape.h"
#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

/* RTM_NEWADDR of 10.9.9.N/32 on interface 1 (lo); the kernel's answer. */
static int add_address(int n, int use_sendmsg)
{
    int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (s < 0)
        return -errno;
    struct {
        struct nlmsghdr h;
        struct ifaddrmsg a;
        struct rtattr r;
        unsigned char addr[4];
    } req = {0};
    req.h.nlmsg_len = sizeof req;
    req.h.nlmsg_type = RTM_NEWADDR;
    req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
    req.h.nlmsg_seq = 1;
    req.a.ifa_family = AF_INET;
    req.a.ifa_prefixlen = 32;
    req.a.ifa_index = 1;
    req.r.rta_type = IFA_LOCAL;
    req.r.rta_len = RTA_LENGTH(4);
    unsigned char a[4] = {10, 9, 9, (unsigned char)n};
    memcpy(req.addr, a, 4);
    struct sockaddr_nl k = {.nl_family = AF_NETLINK};
    ssize_t r;
    if (use_sendmsg) {
        struct iovec iov = {&req, sizeof req};
        struct msghdr m = {.msg_name = &k, .msg_namelen = sizeof k, .msg_iov = &iov,
                           .msg_iovlen = 1};
        r = sendmsg(s, &m, 0);
    } else {
        r = sendto(s, &req, sizeof req, 0, (struct sockaddr *)&k, sizeof k);
    }
    if (r < 0) {
        int e = -errno;
        close(s);
        return e;
    }
    char buf[256];
    ssize_t n2 = recv(s, buf, sizeof buf, 0);
    close(s);
    struct nlmsghdr *h = (struct nlmsghdr *)buf;
    if (n2 < (ssize_t)sizeof *h || h->nlmsg_type != NLMSG_ERROR)
        return -EIO;
    return ((struct nlmsgerr *)NLMSG_DATA(h))->error;
}

static void check(const char *what, int ok_result, int root)
{
    /* root: the call must work; others: it must be refused. */
    char d[64];
    snprintf(d, sizeof d, "%s", ok_result == 0 ? "done" : strerror(-ok_result));
    if (root) {
        printf("%s %s: %s\n", ok_result == 0 ? "root-ok" : "ROOT-REFUSED", what, d);
        fflush(stdout);
    } else {
        report(what, ok_result == 0, d);
    }
}

static int result(long r) { return r < 0 ? -errno : 0; }

int main(void)
{
    int root = geteuid() == 0;
    int id = root ? 1 : 2;
    check("netlink address through sendto", add_address(id, 0), root);
    check("netlink address through sendmsg", add_address(id + 10, 1), root);

    int s = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1, mark = 7, prio = 7;
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(80 + id),
                              .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    check("bind a port below 1024", result(bind(s, (struct sockaddr *)&sin, sizeof sin)), root);
    check("SO_MARK", result(setsockopt(s, SOL_SOCKET, SO_MARK, &mark, sizeof mark)), root);
    check("SO_PRIORITY 7", result(setsockopt(s, SOL_SOCKET, SO_PRIORITY, &prio, sizeof prio)),
          root);
    check("IP_TRANSPARENT", result(setsockopt(s, SOL_IP, IP_TRANSPARENT, &one, sizeof one)),
          root);
    int v = 0;
    socklen_t len = sizeof v;
    getsockopt(s, SOL_SOCKET, SO_MARK, &v, &len);
    printf("SO_MARK reads %d\n", v);
    check("raw socket", result(socket(AF_INET, SOCK_RAW, IPPROTO_ICMP)), root);
    check("packet socket", result(socket(AF_PACKET, SOCK_DGRAM, 0)), root);
    return 0;
}

// difftest: needs-root (an unprivileged user namespace cannot name gid 2147483647)
// net.ipv4.ping_group_range widened to "0 2147483647" by root, as ping(8)'s
// packagers do: ICMP ping sockets (SOCK_DGRAM, IPPROTO_ICMP) are EACCES with
// the default empty range and work once it is written.
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common.h"
#include "netutil.h"

static void try_ping_socket(const char *when) {
    int s = socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
    printf("ping socket %s: %s\n", when, s < 0 ? en(errno) : "ok");
    if (s >= 0)
        close(s);
}

int main(void) {
    char range[64];
    int lo = -1, hi = -1;
    slurp_into("/proc/sys/net/ipv4/ping_group_range", range, sizeof range);
    sscanf(range, "%d %d", &lo, &hi);
    printf("default range is empty: %d\n", lo > hi);
    try_ping_socket("with the default range");
    write_range("0 2147483647");
    slurp_into("/proc/sys/net/ipv4/ping_group_range", range, sizeof range);
    sscanf(range, "%d %d", &lo, &hi);
    printf("range now: %d %d\n", lo, hi);
    try_ping_socket("after widening the range");
    write_range("2147483647 0");
    write_range("-1 5");
    return 0;
}

/* Finding 6 of the isolation issue, and raw sockets: AF_VSOCK was open to
 * every guest user and shares the host's vsock port space (no network
 * namespace confines it). Only the families a VM uses reach the host;
 * packet and raw IP sockets need the guest's CAP_NET_RAW.
 * Usage: socket_families [user] */
#include "escape.h"
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif

int main(int argc, char **argv)
{
    int user = argc > 1;
    static const struct {
        const char *name;
        int family, type;
    } refused[] = {
        {"AF_VSOCK stream", AF_VSOCK, SOCK_STREAM},
        {"AF_VSOCK dgram", AF_VSOCK, SOCK_DGRAM},
        {"AF_ALG", 38, SOCK_SEQPACKET},
        {"AF_KEY", 15, SOCK_RAW},
        {"AF_TIPC", 30, SOCK_RDM},
        {"AF_BLUETOOTH", 31, SOCK_STREAM},
        {"AF_CAN", 29, SOCK_RAW},
        {"AF_RDS", 21, SOCK_SEQPACKET},
    };
    for (unsigned i = 0; i < sizeof refused / sizeof refused[0]; i++)
        expect_fail(refused[i].name, socket(refused[i].family, refused[i].type, 0));
    /* The family in the upper half of the register does not count. */
    expect_fail("AF_VSOCK with high bits",
                syscall(SYS_socket, (1UL << 32) | AF_VSOCK, SOCK_STREAM, 0));
    int sv[2];
    expect_fail("socketpair AF_TIPC", socketpair(30, SOCK_SEQPACKET, 0, sv));
    if (user) {
        expect_fail("raw IP socket", socket(AF_INET, SOCK_RAW, IPPROTO_ICMP));
        expect_fail("packet socket", socket(17 /* AF_PACKET */, SOCK_RAW, 0));
    }
    /* What a VM uses still works. */
    int ok = socket(AF_UNIX, SOCK_STREAM, 0) >= 0 && socket(AF_INET, SOCK_STREAM, 0) >= 0 &&
             socket(AF_INET6, SOCK_DGRAM, 0) >= 0 && socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0;
    printf("usual families: %s\n", ok ? "ok" : strerror(errno));
    return 0;
}

/* Finding 5 of the isolation issue: SO_PEERCRED and SCM_CREDENTIALS
 * reported uid 0 for every guest process (so a guest service
 * authenticating local peers that way took every user for root), and
 * /proc/self/status showed a full capability set for ordinary users.
 * Prints what a process of this user is told about itself through each. */
#include "escape.h"
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
        return 1;
    struct ucred cr;
    socklen_t len = sizeof cr;
    if (getsockopt(sv[0], SOL_SOCKET, SO_PEERCRED, &cr, &len) != 0)
        return 1;
    char d[64], d2[64];
    snprintf(d, sizeof d, "pid %s, uid %u gid %u", cr.pid == getpid() ? "self" : "other",
             cr.uid, cr.gid);
    report("SO_PEERCRED", cr.uid != geteuid() || cr.gid != getegid() || cr.pid != getpid(), d);
    /* SCM_CREDENTIALS the kernel attaches for a receiver with
     * SO_PASSCRED, from a child. */
    int sp[2], on = 1;
    if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sp) != 0 ||
        setsockopt(sp[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof on) != 0)
        return 1;
    pid_t child = fork();
    if (child == 0) {
        send(sp[0], "x", 1, 0);
        _exit(0);
    }
    char byte, cbuf[CMSG_SPACE(sizeof(struct ucred))];
    struct iovec iov = {&byte, 1};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
                       .msg_controllen = sizeof cbuf};
    struct ucred got = {0, (uid_t)-1, (gid_t)-1};
    if (recvmsg(sp[1], &m, 0) == 1)
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
            if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS)
                memcpy(&got, CMSG_DATA(c), sizeof got);
    snprintf(d2, sizeof d2, "pid %s, uid %u gid %u", got.pid == child ? "child" : "other",
             got.uid, got.gid);
    report("SCM_CREDENTIALS", got.uid != getuid() || got.gid != getgid() || got.pid != child, d2);
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    unsigned long long eff = ~0ULL;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "CapEff: %llx", &eff) == 1)
            break;
    snprintf(d, sizeof d, "%016llx", eff);
    /* Root holds every capability; anyone else none. */
    report("CapEff in /proc/self/status", geteuid() == 0 ? eff == 0 : eff != 0, d);
    return 0;
}

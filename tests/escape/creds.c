/* Finding 5 of the isolation issue: SO_PEERCRED reported uid 0 for every
 * guest process (so a guest service authenticating local peers that way
 * took every user for root), and /proc/self/status showed a full
 * capability set for ordinary users. Prints what a process of this user
 * is told about itself through both. */
#include "escape.h"
#include <stdlib.h>
#include <sys/socket.h>
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
    char d[64];
    snprintf(d, sizeof d, "pid %s, uid %u gid %u", cr.pid == getpid() ? "self" : "other",
             cr.uid, cr.gid);
    report("SO_PEERCRED", cr.uid != geteuid() || cr.gid != getegid() || cr.pid != getpid(), d);
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

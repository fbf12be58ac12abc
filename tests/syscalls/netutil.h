// Shared by the network difftests (after common.h): bring up `lo`, which
// starts down in a fresh network namespace, as in a fresh VM.
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static void lo_up(void) {
    int ctl = socket(AF_INET, SOCK_DGRAM, 0);
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    strcpy(ifr.ifr_name, "lo");
    ioctl(ctl, SIOCGIFFLAGS, &ifr);
    ifr.ifr_flags |= IFF_UP;
    report("SIOCSIFFLAGS lo up", ioctl(ctl, SIOCSIFFLAGS, &ifr));
    close(ctl);
}

// Shared by the network difftests (after common.h): bring up `lo`, which
// starts down in a fresh network namespace, as in a fresh VM; write
// net.ipv4.ping_group_range.
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static inline void lo_up(void) {
    int ctl = socket(AF_INET, SOCK_DGRAM, 0);
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    strcpy(ifr.ifr_name, "lo");
    ioctl(ctl, SIOCGIFFLAGS, &ifr);
    ifr.ifr_flags |= IFF_UP;
    report("SIOCSIFFLAGS lo up", ioctl(ctl, SIOCSIFFLAGS, &ifr));
    close(ctl);
}

static inline void write_range(const char *range) {
    int fd = open("/proc/sys/net/ipv4/ping_group_range", O_WRONLY);
    if (fd < 0) {
        printf("open ping_group_range: %s\n", en(errno));
        return;
    }
    long r = write(fd, range, strlen(range));
    printf("write \"%s\" to ping_group_range: %s\n", range,
           r < 0 ? en(errno) : r == (long)strlen(range) ? "ok" : "short");
    close(fd);
}

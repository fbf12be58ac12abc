// sysfs's network devices (mounted by the test in its scratch directory):
// class/net lists the namespace's devices (only lo) as links to
// devices/virtual/net/NAME; lo's attributes before and after it is brought
// up with SIOCSIFFLAGS (carrier is EINVAL while down), its statistics
// counting one UDP datagram sent to itself (equal to /proc/net/dev's), the
// subsystem link, read-only attributes refusing writes, unknown names.
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"

static const char *attr(const char *name) {
    static char buf[256];
    char p[256];
    snprintf(p, sizeof p, "sys/class/net/lo/%s", name);
    int fd = open(p, O_RDONLY);
    if (fd < 0) {
        snprintf(buf, sizeof buf, "open %s", en(errno));
        return buf;
    }
    ssize_t n = read(fd, buf, sizeof buf - 1);
    int e = errno;
    close(fd);
    if (n < 0) {
        snprintf(buf, sizeof buf, "read %s", en(e));
        return buf;
    }
    buf[n] = 0;
    for (char *c = buf; *c; c++)
        if (*c == '\n')
            *c = '|';
    return buf;
}

static long counter(const char *name) {
    char p[64];
    snprintf(p, sizeof p, "statistics/%s", name);
    return atol(attr(p));
}

static const char *names[] = {"address", "addr_len", "broadcast", "carrier", "dormant",
                              "flags",   "ifalias",  "ifindex",   "iflink",  "link_mode",
                              "mtu",     "netdev_group", "operstate", "proto_down",
                              "testing", "tx_queue_len", "type",    "uevent"};

static void show_attrs(const char *when) {
    printf("-- %s\n", when);
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        printf("%s: %s\n", names[i], attr(names[i]));
}

/* /proc/net/dev's receive packet count for lo. */
static long procnet_rx(void) {
    FILE *f = fopen("/proc/net/dev", "r");
    char line[512];
    long v = -1;
    while (f && fgets(line, sizeof line, f)) {
        char *c = strstr(line, "lo:");
        if (c) {
            long bytes;
            sscanf(c + 3, "%ld %ld", &bytes, &v);
        }
    }
    if (f)
        fclose(f);
    return v;
}

int main(void) {
    alarm(10);
    mkdir("sys", 0755);
    if (mount("sysfs", "sys", "sysfs", 0, NULL) != 0) {
        printf("mount sysfs: %s\n", en(errno));
        return 1;
    }
    DIR *d = opendir("sys/class/net");
    struct dirent *e;
    printf("class/net:");
    while (d && (e = readdir(d)))
        if (e->d_name[0] != '.')
            printf(" %s (link %d)", e->d_name, e->d_type == DT_LNK);
    printf("\n");
    if (d)
        closedir(d);
    char l[256];
    ssize_t n = readlink("sys/class/net/lo", l, sizeof l - 1);
    l[n < 0 ? 0 : n] = 0;
    printf("lo -> %s\n", l);
    struct stat a, b;
    int r1 = stat("sys/class/net/lo", &a), r2 = stat("sys/devices/virtual/net/lo", &b);
    printf("link leads to devices/virtual/net/lo: %d, a directory: %d\n",
           r1 == 0 && r2 == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev, S_ISDIR(b.st_mode));
    n = readlink("sys/class/net/lo/subsystem", l, sizeof l - 1);
    l[n < 0 ? 0 : n] = 0;
    printf("subsystem -> %s\n", l);
    int r = lstat("sys/class/net/eth9", &a);
    printf("class/net/eth9: %d %s\n", r, en(r ? errno : 0));
    r = lstat("sys/class/net/lo/nosuch", &a);
    printf("lo/nosuch: %d %s\n", r, en(r ? errno : 0));
    r = open("sys/class/net/lo/address", O_WRONLY);
    printf("open address for writing: %s\n", r >= 0 ? "ok" : en(errno));
    stat("sys/class/net/lo/address", &a);
    printf("address: regular %d, mode %o\n", S_ISREG(a.st_mode), a.st_mode & 0777);
    stat("sys/class/net/lo/statistics", &a);
    printf("statistics: dir %d\n", S_ISDIR(a.st_mode));

    show_attrs("lo down");

    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    strcpy(ifr.ifr_name, "lo");
    ioctl(s, SIOCGIFFLAGS, &ifr);
    ifr.ifr_flags |= IFF_UP;
    r = ioctl(s, SIOCSIFFLAGS, &ifr);
    printf("SIOCSIFFLAGS up: %d %s\n", r, en(r ? errno : 0));
    show_attrs("lo up");

    long rx0 = counter("rx_packets"), tx0 = counter("tx_packets");
    long rxb0 = counter("rx_bytes");
    long p0 = procnet_rx();
    printf("statistics agree with /proc/net/dev: %d\n", rx0 == p0);
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(9)};
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    r = sendto(s, "x", 1, 0, (struct sockaddr *)&to, sizeof to);
    printf("sendto: %d\n", r);
    usleep(20000);
    printf("rx_packets +%ld, tx_packets +%ld, rx_bytes grew %d, /proc/net/dev +%ld\n",
           counter("rx_packets") - rx0, counter("tx_packets") - tx0, counter("rx_bytes") > rxb0,
           procnet_rx() - p0);
    const char *stats[] = {"collisions", "multicast", "rx_crc_errors", "rx_dropped",
                           "rx_errors",  "tx_errors", "rx_nohandler"};
    for (size_t i = 0; i < sizeof stats / sizeof *stats; i++)
        printf("%s=%ld ", stats[i], counter(stats[i]));
    printf("\n");

    ifr.ifr_flags &= ~IFF_UP;
    ioctl(s, SIOCSIFFLAGS, &ifr);
    printf("down again: operstate %s", attr("operstate"));
    printf(" carrier %s\n", attr("carrier"));
    close(s);
    r = umount("sys");
    printf("umount: %d\n", r);
    rmdir("sys");
    return 0;
}

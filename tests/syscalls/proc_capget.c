// capget/capset: version negotiation (bad version -> EINVAL with the
// preferred version written back, NULL data probes), v1/v2/v3 layouts, root
// holding every bounding-set capability, another process's set, ESRCH,
// dropping a capability with capset (then it is gone: raising it back into
// permitted is EPERM), PR_CAPBSET_READ/DROP and PR_CAP_AMBIENT queries.
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"


struct hdr {
    unsigned version;
    int pid;
};
struct data {
    unsigned eff, perm, inh;
};
#define V1 0x19980330
#define V2 0x20071026
#define V3 0x20080522
#define CAP_NET_RAW_ 13
#define CAP_CHOWN_ 0
#define CAP_SETPCAP_ 8

static long capget_(struct hdr *h, struct data *d) { return syscall(SYS_capget, h, d); }
static long capset_(struct hdr *h, struct data *d) { return syscall(SYS_capset, h, d); }

static unsigned long long full;

static void get(int pid, unsigned long long *e, unsigned long long *p, unsigned long long *i) {
    struct hdr h = {V3, pid};
    struct data d[2] = {{0}};
    capget_(&h, d);
    *e = d[0].eff | (unsigned long long)d[1].eff << 32;
    *p = d[0].perm | (unsigned long long)d[1].perm << 32;
    *i = d[0].inh | (unsigned long long)d[1].inh << 32;
}

static const char *set_name(unsigned long long v) {
    if (v == full) return "all";
    if (v == 0) return "none";
    if (v == (full & ~(1ULL << CAP_NET_RAW_))) return "all but NET_RAW";
    static char b[32];
    snprintf(b, sizeof b, "other(%d bits)", __builtin_popcountll(v));
    return b;
}

int main(void) {
    // "all" means the bounding set: root holds exactly that.
    int last = -1;
    full = 0;
    for (int c = 0; c < 64; c++) {
        int v = prctl(PR_CAPBSET_READ, c, 0, 0, 0);
        if (v < 0) break;
        last = c;
        if (v == 1) full |= 1ULL << c;
    }
    printf("bounding set read up to a last capability > 35: %d, NET_RAW in it: %d\n", last > 35,
           !!(full & (1ULL << CAP_NET_RAW_)));
    errno = 0;
    int r = prctl(PR_CAPBSET_READ, last + 1, 0, 0, 0);
    printf("PR_CAPBSET_READ past the last: %d %s\n", r, en(errno));

    struct hdr h = {0x12345, 0};
    struct data d[2];
    errno = 0;
    r = capget_(&h, d);
    printf("bad version: %d %s, version written back %s\n", r, en(errno), h.version == V3 ? "V3" : "?");
    h.version = 0x12345;
    errno = 0;
    r = capget_(&h, NULL);
    printf("bad version, NULL data: %d %s, version written back %s\n", r, en(errno), h.version == V3 ? "V3" : "?");
    h.version = V3;
    errno = 0;
    r = capget_(&h, NULL);
    printf("V3 with NULL data: %d %s\n", r, en(errno));

    unsigned long long e, p, i;
    get(0, &e, &p, &i);
    printf("root: effective %s, permitted %s, inheritable %s\n", set_name(e), set_name(p), set_name(i));
    struct hdr h1 = {V1, 0};
    struct data d1[2] = {{0}, {0xdead, 0xdead, 0xdead}};
    r = capget_(&h1, d1);
    printf("V1: %d, low word is the bounding set's %d, second struct untouched %d\n", r, d1[0].eff == (unsigned)full,
           d1[1].eff == 0xdead);
    struct hdr h2 = {V2, 0};
    memset(d, 0, sizeof d);
    r = capget_(&h2, d);
    printf("V2: %d, matches V3: %d\n", r, (d[0].eff | (unsigned long long)d[1].eff << 32) == e);
    get(getpid(), &e, &p, &i);
    printf("by own pid: effective %s\n", set_name(e));
    struct hdr hx = {V3, 99999};
    errno = 0;
    r = capget_(&hx, d);
    printf("no such pid: %d %s\n", r, en(errno));
    struct hdr hn = {V3, -1};
    errno = 0;
    r = capget_(&hn, d);
    printf("negative pid: %d %s\n", r, en(errno));

    // another process: a child that dropped everything by becoming uid 1000
    int pp[2];
    pipe(pp);
    fflush(stdout);
    pid_t c = fork();
    if (c == 0) {
        struct hdr hh = {V3, 0};
        struct data dd[2] = {{0}};
        capset_(&hh, dd);
        write(pp[1], "r", 1);
        pause();
        _exit(0);
    }
    char ch;
    read(pp[0], &ch, 1);
    get(c, &e, &p, &i);
    printf("child that capset everything to zero, seen from parent: effective %s permitted %s\n",
           set_name(e), set_name(p));
    kill(c, SIGKILL);
    waitpid(c, NULL, 0);

    // capset in a child
    fflush(stdout);
    c = fork();
    if (c == 0) {
        struct hdr hh = {V3, 0};
        struct data dd[2] = {{0}};
        capget_(&hh, dd);
        dd[0].eff &= ~(1u << CAP_NET_RAW_);
        errno = 0;
        r = capset_(&hh, dd);
        get(0, &e, &p, &i);
        printf("  drop NET_RAW from effective: %d %s -> effective %s, permitted %s\n", r, en(errno),
               set_name(e), set_name(p));
        errno = 0;
        int s = socket(AF_INET, SOCK_RAW, 1);
        printf("  raw socket without NET_RAW: %s\n", s >= 0 ? "created" : en(errno));
        dd[0].eff |= 1u << CAP_NET_RAW_;
        r = capset_(&hh, dd);
        get(0, &e, &p, &i);
        printf("  raise it back (still permitted): %d -> effective %s\n", r, set_name(e));
        dd[0].eff &= ~(1u << CAP_NET_RAW_);
        dd[0].perm &= ~(1u << CAP_NET_RAW_);
        r = capset_(&hh, dd);
        get(0, &e, &p, &i);
        printf("  drop it from permitted: %d -> effective %s, permitted %s\n", r, set_name(e), set_name(p));
        dd[0].perm |= 1u << CAP_NET_RAW_;
        errno = 0;
        r = capset_(&hh, dd);
        printf("  raise permitted again: %d %s\n", r, en(errno));
        dd[0].perm &= ~(1u << CAP_NET_RAW_);
        dd[0].eff |= 1u << CAP_NET_RAW_;
        errno = 0;
        r = capset_(&hh, dd);
        printf("  effective beyond permitted: %d %s\n", r, en(errno));
        struct hdr other = {V3, getppid()};
        errno = 0;
        r = capset_(&other, dd);
        printf("  capset on another process: %d %s\n", r, en(errno));
        errno = 0;
        r = prctl(PR_CAPBSET_DROP, CAP_CHOWN_, 0, 0, 0);
        printf("  PR_CAPBSET_DROP CHOWN: %d %s, now reads %d\n", r, en(errno),
               prctl(PR_CAPBSET_READ, CAP_CHOWN_, 0, 0, 0));
        errno = 0;
        r = prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_CHOWN_, 0, 0);
        printf("  PR_CAP_AMBIENT_IS_SET: %d %s\n", r, en(errno));
        fflush(stdout);
        _exit(0);
    }
    waitpid(c, NULL, 0);
    get(0, &e, &p, &i);
    printf("parent unaffected: effective %s\n", set_name(e));
    return 0;
}

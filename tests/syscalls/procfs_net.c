// /proc/self/net and /proc/net (a link to self/net): the files of the
// process's network namespace (a fresh one: only lo), dev's header and
// rows, sockets appearing in tcp, udp6 and unix with their owner, state,
// inode and path; directories below net; errors for unknown entries.
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "common.h"

static char text[65536];

static int slurp(const char *path) {
    return slurp_into(path, text, sizeof text);
}

static int lines(void) {
    int n = 0;
    for (char *p = text; *p; p++)
        n += *p == '\n';
    return n;
}

/* The line of `text` whose whitespace-separated column `col` is `want`. */
static char *find_row(int col, const char *want) {
    static char row[1024];
    char *save, *copy = strdup(text);
    for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        char tmp[1024];
        snprintf(tmp, sizeof tmp, "%s", l);
        char *s2, *t = strtok_r(tmp, " \t", &s2);
        for (int i = 0; t && i < col; i++)
            t = strtok_r(NULL, " \t", &s2);
        if (t && strcmp(t, want) == 0) {
            snprintf(row, sizeof row, "%s", l);
            free(copy);
            return row;
        }
    }
    free(copy);
    return NULL;
}

/* Column `col` of `row`. */
static const char *column(const char *row, int col) {
    static char out[256];
    char tmp[1024], *save;
    snprintf(tmp, sizeof tmp, "%s", row);
    char *t = strtok_r(tmp, " \t", &save);
    for (int i = 0; t && i < col; i++)
        t = strtok_r(NULL, " \t", &save);
    snprintf(out, sizeof out, "%s", t ? t : "(none)");
    return out;
}

int main(void) {
    alarm(10);
    char l[64];
    ssize_t n = readlink("/proc/net", l, sizeof l - 1);
    l[n < 0 ? 0 : n] = 0;
    printf("/proc/net -> %s\n", l);
    struct stat st;
    printf("/proc/self/net is a directory: %d\n",
           stat("/proc/self/net", &st) == 0 && S_ISDIR(st.st_mode));

    const char *want[] = {"dev",  "route",  "arp",      "tcp",      "tcp6",    "udp",
                          "udp6", "unix",   "if_inet6", "netstat",  "snmp",    "sockstat",
                          "packet", "raw",  "igmp",     "protocols", "netlink", "dev_mcast"};
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        char p[64];
        snprintf(p, sizeof p, "/proc/self/net/%s", want[i]);
        int r = stat(p, &st);
        printf("%s: %s", want[i], r == 0 ? "" : en(errno));
        if (r == 0)
            printf("regular %d mode %o", S_ISREG(st.st_mode), st.st_mode & 0777);
        printf("\n");
    }
    DIR *d = opendir("/proc/self/net");
    int has_dev = 0, entries = 0;
    struct dirent *e;
    while (d && (e = readdir(d))) {
        entries++;
        has_dev |= strcmp(e->d_name, "dev") == 0;
    }
    if (d)
        closedir(d);
    printf("readdir lists dev: %d, many entries: %d\n", has_dev, entries > 20);
    printf("stat net/stat dir: %d\n", stat("/proc/self/net/stat", &st) == 0 && S_ISDIR(st.st_mode));
    errno = 0;
    int r = stat("/proc/self/net/nosuch", &st);
    printf("stat net/nosuch: %d %s\n", r, en(r ? errno : 0));
    r = open("/proc/self/net/dev", O_WRONLY);
    printf("open dev for writing: %s\n", r >= 0 ? "ok" : en(errno));

    if (slurp("/proc/net/dev") < 0) {
        printf("read /proc/net/dev: %s\n", en(errno));
        return 1;
    }
    printf("dev: %d lines, header %.30s\n", lines(), text);
    char *lo = find_row(0, "lo:");
    printf("dev lo row: %d, columns %s", lo != NULL, lo ? "" : "\n");
    if (lo) {
        int c = 0;
        while (strcmp(column(lo, c), "(none)") != 0)
            c++;
        printf("%d\n", c);
    }
    char same[65536];
    memcpy(same, text, sizeof same);
    slurp("/proc/self/net/dev");
    printf("/proc/net/dev equals /proc/self/net/dev: %d\n", strcmp(same, text) == 0);

    /* A listening TCP socket on port 0x1f90 (8080), all addresses. */
    slurp("/proc/net/tcp");
    int before = lines();
    int t = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(t, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(8080)};
    r = bind(t, (struct sockaddr *)&a, sizeof a);
    printf("bind tcp: %d\n", r);
    listen(t, 1);
    fstat(t, &st);
    slurp("/proc/net/tcp");
    printf("tcp: %d more line(s)\n", lines() - before);
    char ino[32];
    snprintf(ino, sizeof ino, "%lu", (unsigned long)st.st_ino);
    char *row = find_row(9, ino);
    printf("tcp row by inode: %d\n", row != NULL);
    if (row) {
        printf("  local %s", column(row, 1));
        printf(" state %s", column(row, 3));
        printf(" uid is mine %d\n", atoi(column(row, 7)) == (int)getuid());
    }

    int u = socket(AF_INET6, SOCK_DGRAM, 0);
    struct sockaddr_in6 a6 = {.sin6_family = AF_INET6, .sin6_port = htons(5353)};
    r = bind(u, (struct sockaddr *)&a6, sizeof a6);
    printf("bind udp6: %d\n", r);
    fstat(u, &st);
    slurp("/proc/net/udp6");
    snprintf(ino, sizeof ino, "%lu", (unsigned long)st.st_ino);
    row = find_row(9, ino);
    printf("udp6 row by inode: %d", row != NULL);
    if (row) {
        printf(", local %s", column(row, 1));
        printf(" uid is mine %d", atoi(column(row, 7)) == (int)getuid());
    }
    printf("\n");

    /* Unix sockets: a path relative to the scratch directory, and an
       abstract one. */
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un ua = {.sun_family = AF_UNIX};
    strcpy(ua.sun_path, "sock");
    r = bind(s, (struct sockaddr *)&ua, sizeof ua);
    printf("bind unix: %d\n", r);
    listen(s, 1);
    fstat(s, &st);
    int s2 = socket(AF_UNIX, SOCK_DGRAM, 0);
    struct sockaddr_un ab = {.sun_family = AF_UNIX};
    memcpy(ab.sun_path, "\0ruml-procnet-test", 18);
    r = bind(s2, (struct sockaddr *)&ab, offsetof(struct sockaddr_un, sun_path) + 18);
    printf("bind abstract: %d\n", r);
    slurp("/proc/net/unix");
    printf("unix header: %.40s\n", text);
    snprintf(ino, sizeof ino, "%lu", (unsigned long)st.st_ino);
    row = find_row(6, ino);
    printf("unix row by inode: %d", row != NULL);
    if (row) {
        printf(", type %s", column(row, 4));
        printf(" state %s", column(row, 5));
        printf(" path %s", column(row, 7));
    }
    printf("\n");
    row = find_row(7, "@ruml-procnet-test");
    printf("abstract row: %d", row != NULL);
    if (row)
        printf(", type %s", column(row, 4));
    printf("\n");
    unlink("sock");
    return 0;
}

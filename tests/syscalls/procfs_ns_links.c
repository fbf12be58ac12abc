// /proc/PID/ns: the entries (sorted), magic links reading "type:[inode]"
// whose inode is the one stat(2) finds through the link (an nsfs object,
// also when opened), shared by a forked child; the directory's mode; errors
// for unknown entries and readlink of the directory. /proc/PID/personality:
// "%08x", following personality(2) in a child.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"

static int cmp(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The inode number in "type:[N]", or 0 if the text is not of that form
   with the given type. */
static unsigned long long link_ino(const char *text, const char *type) {
    size_t n = strlen(type);
    if (strncmp(text, type, n) != 0 || text[n] != ':' || text[n + 1] != '[')
        return 0;
    char *end;
    unsigned long long v = strtoull(text + n + 2, &end, 10);
    if (end[0] != ']' || end[1] != 0)
        return 0;
    return v;
}

static void read_link(const char *path, char *buf, size_t len) {
    ssize_t n = readlink(path, buf, len - 1);
    buf[n < 0 ? 0 : n] = 0;
}

int main(void) {
    alarm(10);
    DIR *d = opendir("/proc/self/ns");
    if (!d) {
        printf("opendir /proc/self/ns: %s\n", en(errno));
        return 1;
    }
    char *names[64];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 64)
        if (e->d_name[0] != '.')
            names[n++] = strdup(e->d_name);
    closedir(d);
    qsort(names, n, sizeof *names, cmp);
    printf("entries:");
    for (int i = 0; i < n; i++)
        printf(" %s", names[i]);
    printf("\n");

    for (int i = 0; i < n; i++) {
        char path[128], text[128];
        snprintf(path, sizeof path, "/proc/self/ns/%s", names[i]);
        read_link(path, text, sizeof text);
        /* pid_for_children reads "pid:[...]", time_for_children "time:[...]". */
        char type[32];
        snprintf(type, sizeof type, "%s", names[i]);
        char *u = strstr(type, "_for_children");
        if (u)
            *u = 0;
        unsigned long long ino = link_ino(text, type);
        struct stat ls, st;
        int lr = lstat(path, &ls), sr = stat(path, &st);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        struct stat fs;
        int fr = fd >= 0 ? fstat(fd, &fs) : -1;
        printf("%s: form ok %d, lstat symlink %d, stat ino matches %d, regular %d, "
               "open %s, fstat ino matches %d\n",
               names[i], ino != 0, lr == 0 && S_ISLNK(ls.st_mode),
               sr == 0 && st.st_ino == ino, sr == 0 && S_ISREG(st.st_mode),
               fd >= 0 ? "ok" : en(errno), fr == 0 && fs.st_ino == ino);
        if (fd >= 0)
            close(fd);
    }

    char a[128], b[128];
    read_link("/proc/self/ns/pid", a, sizeof a);
    read_link("/proc/self/ns/pid_for_children", b, sizeof b);
    printf("pid_for_children equals pid: %d\n", strcmp(a, b) == 0);
    char mine[128];
    snprintf(mine, sizeof mine, "/proc/%d/ns/net", (int)getpid());
    read_link(mine, a, sizeof a);
    read_link("/proc/self/ns/net", b, sizeof b);
    printf("/proc/PID/ns/net equals /proc/self/ns/net: %d\n", strcmp(a, b) == 0);
    struct stat x, y;
    printf("-ef through links: %d\n", stat("/proc/self/ns/uts", &x) == 0 &&
                                          stat(mine, &y) == 0 && x.st_dev == y.st_dev &&
                                          x.st_ino != y.st_ino);

    int p[2];
    if (pipe(p) != 0)
        return 1;
    fflush(stdout);
    pid_t c = fork();
    if (c == 0) {
        char t[128];
        read_link("/proc/self/ns/net", t, sizeof t);
        write(p[1], t, strlen(t) + 1);
        _exit(0);
    }
    close(p[1]);
    char got[128] = "";
    read(p[0], got, sizeof got);
    waitpid(c, NULL, 0);
    read_link("/proc/self/ns/net", a, sizeof a);
    printf("child shares net namespace: %d\n", strcmp(a, got) == 0);

    struct stat ds;
    stat("/proc/self/ns", &ds);
    printf("ns dir: dir %d, mode %o\n", S_ISDIR(ds.st_mode), ds.st_mode & 07777);
    int r = lstat("/proc/self/ns/nosuch", &ds);
    printf("lstat ns/nosuch: %d %s\n", r, en(r ? errno : 0));
    ssize_t rl = readlink("/proc/self/ns", a, sizeof a);
    printf("readlink ns dir: %zd %s\n", rl, en(rl < 0 ? errno : 0));
    r = open("/proc/self/ns/net", O_WRONLY);
    printf("open ns/net O_WRONLY: %d %s\n", r >= 0 ? 0 : -1, en(r < 0 ? errno : 0));

    /* personality */
    int fd = open("/proc/self/personality", O_RDONLY);
    char pbuf[32] = "";
    ssize_t k = fd >= 0 ? read(fd, pbuf, sizeof pbuf - 1) : -1;
    printf("personality: %s", k > 0 ? pbuf : "(unreadable)\n");
    if (fd >= 0) {
        fstat(fd, &ds);
        printf("personality mode %o\n", ds.st_mode & 07777);
        close(fd);
    }
    fflush(stdout);
    c = fork();
    if (c == 0) {
        personality(ADDR_NO_RANDOMIZE | READ_IMPLIES_EXEC);
        char q[32] = "";
        int f = open("/proc/self/personality", O_RDONLY);
        ssize_t r = read(f, q, sizeof q - 1);
        printf("child personality: %s", r > 0 ? q : "(unreadable)\n");
        fflush(stdout);
        _exit(0);
    }
    waitpid(c, NULL, 0);
    return 0;
}

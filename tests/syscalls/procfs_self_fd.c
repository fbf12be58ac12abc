// /proc/self/fd and /proc/self/fdinfo: the listing (0, 1, 2, the directory's
// own descriptor and the ones opened here, in numeric order), link texts for
// files, deleted files, pipes, sockets, eventfd, memfd and /dev/null, opening
// through fd/N (pipes reach the same pipe, files get a fresh offset), fdinfo
// pos/flags fields, and /proc/self and /proc/thread-self pointing to our ids.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common.h"

static int cmp_int(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }

/* Lists /proc/self/fd and compares it with the descriptors fcntl reports
   open (inherited descriptors vary between environments, so they are not
   printed); then prints which of `mine` are listed. */
static void list_fds(const char *label, const int *mine, int nmine) {
    DIR *d = opendir("/proc/self/fd");
    if (!d) {
        printf("%s: opendir %s\n", label, en(errno));
        return;
    }
    int fds[1100], n = 0, dots = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 1100) {
        if (e->d_name[0] == '.') {
            dots++;
            continue;
        }
        fds[n++] = atoi(e->d_name);
    }
    int self = dirfd(d);
    int open_now[1100], m = 0;
    for (int fd = 0; fd < 1100; fd++)
        if (fcntl(fd, F_GETFD) >= 0)
            open_now[m++] = fd;
    closedir(d);
    qsort(fds, n, sizeof *fds, cmp_int);
    int same = n == m;
    for (int i = 0; same && i < n; i++)
        same = fds[i] == open_now[i];
    int has_self = 0, has012 = 0;
    for (int i = 0; i < n; i++) {
        has_self |= fds[i] == self;
        has012 += fds[i] <= 2;
    }
    printf("%s: listing equals the open fds: %d, has 0-2: %d, has the listing's own fd: %d, dot entries %d\n",
           label, same, has012 == 3, has_self, dots);
    printf("  mine listed:");
    for (int j = 0; j < nmine; j++) {
        int found = 0;
        for (int i = 0; i < n; i++)
            found |= fds[i] == mine[j];
        printf(" %d", found);
    }
    printf("\n");
}

static const char *link_of(int fd) {
    static char buf[PATH_MAX];
    char p[64];
    snprintf(p, sizeof p, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(p, buf, sizeof buf - 1);
    if (n < 0)
        return en(errno);
    buf[n] = 0;
    return buf;
}

/* Link text with the bracketed inode number removed. */
static const char *kind_of(int fd) {
    static char out[PATH_MAX];
    const char *l = link_of(fd);
    const char *br = strchr(l, '[');
    if (br && (strncmp(l, "pipe:", 5) == 0 || strncmp(l, "socket:", 7) == 0))
        snprintf(out, sizeof out, "%.*s[N]", (int)(br - l), l);
    else
        snprintf(out, sizeof out, "%s", l);
    return out;
}

static const char *fdinfo(int fd, const char *key) {
    static char v[128];
    char p[64], text[1024];
    snprintf(p, sizeof p, "/proc/self/fdinfo/%d", fd);
    int f = open(p, O_RDONLY);
    if (f < 0)
        return en(errno);
    int n = read(f, text, sizeof text - 1);
    close(f);
    text[n > 0 ? n : 0] = 0;
    char *l = strstr(text, key);
    if (!l)
        return "(missing)";
    l += strlen(key);
    while (*l == ':' || *l == '\t' || *l == ' ')
        l++;
    snprintf(v, sizeof v, "%.*s", (int)strcspn(l, "\n"), l);
    return v;
}

int main(void) {
    alarm(10);
    list_fds("at start", NULL, 0);
    char cwd[PATH_MAX], want[PATH_MAX + 16];
    getcwd(cwd, sizeof cwd);

    int f = open("file", O_RDWR | O_CREAT | O_APPEND, 0644);
    write(f, "0123456789", 10);
    int p[2];
    pipe(p);
    int sv[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    int ev = eventfd(0, EFD_CLOEXEC);
    int mf = syscall(SYS_memfd_create, "mine", 0);
    int nul = open("/dev/null", O_WRONLY);
    int hi = dup2(f, 100);
    int mine[8] = {f, p[0], p[1], sv[0], sv[1], ev, mf, nul};
    list_fds("after opening 8", mine, 8);
    int hundred[1] = {100};
    list_fds("and the dup", hundred, 1);

    snprintf(want, sizeof want, "%s/file", cwd);
    printf("file link is cwd/file: %d\n", strcmp(link_of(f), want) == 0);
    printf("dup at 100 too: %d\n", strcmp(link_of(hi), want) == 0);
    printf("pipe read end: %s\n", kind_of(p[0]));
    printf("pipe write end: %s\n", kind_of(p[1]));
    char l0[64], l1[64];
    snprintf(l0, sizeof l0, "%s", link_of(p[0]));
    snprintf(l1, sizeof l1, "%s", link_of(p[1]));
    printf("pipe links identical: %d\n", strcmp(l0, l1) == 0);
    printf("socket: %s\n", kind_of(sv[0]));
    printf("eventfd: %s\n", kind_of(ev));
    printf("memfd: %s\n", kind_of(mf));
    printf("/dev/null: %s\n", kind_of(nul));
    printf("fd 0 readable link: %d\n", link_of(0)[0] != 0);
    report("readlink of a closed fd", readlink("/proc/self/fd/77", want, sizeof want));
    unlink("file");
    snprintf(want, sizeof want, "%s/file (deleted)", cwd);
    printf("deleted file link: %d\n", strcmp(link_of(f), want) == 0);

    /* Reopening through the link. */
    char buf[32] = {0};
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", p[1]);
    int w2 = open(path, O_WRONLY);
    printf("reopen pipe write end: %d\n", w2 >= 0);
    write(w2, "via reopen", 10);
    read(p[0], buf, sizeof buf - 1);
    printf("read from the original pipe: %s\n", buf);
    snprintf(path, sizeof path, "/proc/self/fd/%d", f);
    int r2 = open(path, O_RDONLY);
    printf("reopen deleted file: %d\n", r2 >= 0);
    memset(buf, 0, sizeof buf);
    read(r2, buf, 4);
    printf("fresh offset reads from 0: %s\n", buf);
    struct stat a, b;
    fstat(f, &a);
    stat(path, &b);
    printf("stat through the link is the file: %d\n", a.st_ino == b.st_ino && a.st_dev == b.st_dev);

    /* fdinfo. */
    lseek(r2, 7, SEEK_SET);
    printf("fdinfo pos after lseek 7: %s\n", fdinfo(r2, "pos"));
    printf("fdinfo flags O_RDONLY: %s\n", fdinfo(r2, "flags"));
    printf("fdinfo pos of O_APPEND file after write: %s\n", fdinfo(f, "pos"));
    printf("fdinfo flags O_RDWR|O_APPEND: %s\n", fdinfo(f, "flags"));
    printf("fdinfo flags eventfd with EFD_CLOEXEC: %s\n", fdinfo(ev, "flags"));
    printf("fdinfo eventfd-count: %s\n", fdinfo(ev, "eventfd-count"));
    printf("fdinfo flags pipe write end: %s\n", fdinfo(p[1], "flags"));
    printf("fdinfo of a closed fd: %s\n", fdinfo(77, "pos"));

    close(hi);
    close(w2);
    close(r2);
    close(mf);
    int closed[4] = {100, w2, r2, mf};
    list_fds("after closing 100 and three more", closed, 4);

    /* /proc/self and /proc/thread-self. */
    char lk[64];
    ssize_t n = readlink("/proc/self", lk, sizeof lk - 1);
    lk[n > 0 ? n : 0] = 0;
    printf("/proc/self is our pid: %d\n", atoi(lk) == getpid() && strspn(lk, "0123456789") == strlen(lk));
    n = readlink("/proc/thread-self", lk, sizeof lk - 1);
    lk[n > 0 ? n : 0] = 0;
    snprintf(want, sizeof want, "%d/task/%ld", getpid(), (long)syscall(SYS_gettid));
    printf("/proc/thread-self is pid/task/tid: %d\n", strcmp(lk, want) == 0);
    snprintf(path, sizeof path, "/proc/%d/fd/%d", getpid(), f);
    snprintf(want, sizeof want, "%s/file (deleted)", cwd);
    n = readlink(path, lk, sizeof lk - 1);
    printf("/proc/PID/fd/N same as self: %d\n", n > 0);
    return 0;
}

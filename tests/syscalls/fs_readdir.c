// readdir/getdents64: names (sorted before printing) and d_type of every kind,
// "." and "..", listings after creating 1000 files and deleting half, telldir/
// seekdir returning to the same entry, rewinddir seeing new entries, and
// getdents64 on small buffers (EINVAL), files (ENOTDIR) and bad fds (EBADF).
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>

/* T: run a call, print its text and "ok" or the errno name. */
#define T(x) do { errno = 0; long r_ = (long)(x); \
    if (r_ < 0) printf("%s = -1 %s\n", #x, en(errno)); else printf("%s = ok\n", #x); } while (0)
/* V: like T, but print the value returned. */
#define V(x) do { errno = 0; long r_ = (long)(x); \
    if (r_ < 0) printf("%s = -1 %s\n", #x, en(errno)); else printf("%s = %ld\n", #x, r_); } while (0)
/* S: print a labelled truth value. */
#define S(label, cond) printf("%s: %d\n", label, (int)(cond))
#include <dirent.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "common.h"

static int cmpstr(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static const char *dt(int t) {
    switch (t) {
    case DT_REG: return "reg";
    case DT_DIR: return "dir";
    case DT_LNK: return "lnk";
    case DT_FIFO: return "fifo";
    case DT_SOCK: return "sock";
    case DT_UNKNOWN: return "unknown";
    }
    return "?";
}

/* Lists a directory sorted, with d_type. */
static void list(const char *p) {
    DIR *d = opendir(p);
    if (!d) {
        printf("opendir %s: %s\n", p, en(errno));
        return;
    }
    char *names[64];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 64) {
        names[n] = malloc(strlen(e->d_name) + 16);
        sprintf(names[n], "%s:%s", e->d_name, dt(e->d_type));
        n++;
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmpstr);
    printf("%s:", p);
    for (int i = 0; i < n; i++) {
        printf(" %s", names[i]);
        free(names[i]);
    }
    printf("\n");
}

static int count(DIR *d, int *have) {
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        n++;
        int k;
        if (have && sscanf(e->d_name, "f%d", &k) == 1 && k >= 0 && k < 1000) have[k]++;
    }
    return n;
}

int main(void) {
    umask(022);
    T(mkdir("d", 0755));
    int fd = open("d/file", O_CREAT | O_WRONLY, 0644);
    close(fd);
    T(mkdir("d/sub", 0755));
    T(symlink("file", "d/link"));
    T(symlink("nowhere", "d/dangle"));
    T(mkfifo("d/fifo", 0644));
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    strcpy(a.sun_path, "d/sock");
    T(bind(s, (struct sockaddr *)&a, sizeof a));
    close(s);
    list("d");
    list("d/sub");
    list("d/sub/");
    list("d/link");
    list("missing");
    T(mkdir("empty", 0755));
    list("empty");

    /* 1000 files */
    T(mkdir("many", 0755));
    int ok = 1;
    char name[64];
    for (int i = 0; i < 1000; i++) {
        snprintf(name, sizeof name, "many/f%04d", i);
        int f = open(name, O_CREAT | O_WRONLY, 0644);
        if (f < 0) ok = 0;
        close(f);
    }
    S("created 1000 files", ok);
    int have[1000] = {0};
    DIR *d = opendir("many");
    printf("entries: %d\n", count(d, have));
    int all = 1;
    for (int i = 0; i < 1000; i++) all &= have[i] == 1;
    S("each file listed once", all);
    for (int i = 0; i < 1000; i += 2) {
        snprintf(name, sizeof name, "many/f%04d", i);
        if (unlink(name) < 0) ok = 0;
    }
    S("deleted 500", ok);
    rewinddir(d);
    memset(have, 0, sizeof have);
    printf("entries after rewinddir: %d\n", count(d, have));
    int odd = 1;
    for (int i = 0; i < 1000; i++) odd &= have[i] == (i & 1);
    S("exactly the odd files listed", odd);

    /* telldir/seekdir: going back yields the same names again. */
    rewinddir(d);
    for (int i = 0; i < 100; i++) readdir(d);
    long pos = telldir(d);
    char first[5][64];
    for (int i = 0; i < 5; i++) {
        struct dirent *e = readdir(d);
        strcpy(first[i], e ? e->d_name : "(end)");
    }
    for (int i = 0; i < 50; i++) readdir(d);
    seekdir(d, pos);
    int same = 1;
    for (int i = 0; i < 5; i++) {
        struct dirent *e = readdir(d);
        same &= e && strcmp(e->d_name, first[i]) == 0;
    }
    S("seekdir back to telldir gives the same 5 names", same);
    /* New entries show up after rewinddir. */
    fd = open("many/zz_new", O_CREAT | O_WRONLY, 0644);
    close(fd);
    rewinddir(d);
    printf("entries after create + rewinddir: %d\n", count(d, NULL));
    closedir(d);

    /* Raw getdents64 */
    int dfd = open("d", O_RDONLY | O_DIRECTORY);
    char buf[4096];
    T(syscall(SYS_getdents64, dfd, buf, 0));
    T(syscall(SYS_getdents64, dfd, buf, 10));
    long total = 0, calls = 0, r;
    while ((r = syscall(SYS_getdents64, dfd, buf, 64)) > 0) {
        total += r;
        calls++;
    }
    printf("small-buffer reads ended with %ld, more than one call: %d\n", r, calls > 1);
    T(syscall(SYS_getdents64, dfd, buf, sizeof buf));
    V(lseek(dfd, 0, SEEK_SET));
    r = syscall(SYS_getdents64, dfd, buf, sizeof buf);
    int ents = 0;
    for (long off = 0; off < r;) {
        unsigned short reclen;
        memcpy(&reclen, buf + off + 16, 2);
        off += reclen;
        ents++;
    }
    printf("entries in one big read: %d\n", ents);
    int ffd = open("d/file", O_RDONLY);
    T(syscall(SYS_getdents64, ffd, buf, sizeof buf));
    close(ffd);
    T(syscall(SYS_getdents64, -1, buf, sizeof buf));
    V(lseek(dfd, 0, SEEK_SET));
    T(syscall(SYS_getdents64, dfd, NULL, sizeof buf));
    close(dfd);
    return 0;
}

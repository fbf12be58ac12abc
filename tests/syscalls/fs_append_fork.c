// O_APPEND with concurrent writers: four forked processes, each with its own
// O_APPEND descriptor, write fixed-size records; no record is lost or torn and
// the file size is the sum. Without O_APPEND, separate descriptors overwrite.
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

#include "common.h"

/* T: run a call, print its text and "ok" or the errno name. */
#define T(x) do { errno = 0; long r_ = (long)(x); \
    if (r_ < 0) printf("%s = -1 %s\n", #x, en(errno)); else printf("%s = ok\n", #x); } while (0)
/* V: like T, but print the value returned. */
#define V(x) do { errno = 0; long r_ = (long)(x); \
    if (r_ < 0) printf("%s = -1 %s\n", #x, en(errno)); else printf("%s = %ld\n", #x, r_); } while (0)
/* S: print a labelled truth value. */
#define S(label, cond) printf("%s: %d\n", label, (int)(cond))

#define NPROC 4
#define NREC 250
#define RLEN 32

static void writer(int id, int flags) {
    int fd = open("log", flags);
    if (fd < 0) _exit(10);
    char rec[RLEN + 1];
    for (int i = 0; i < NREC; i++) {
        snprintf(rec, sizeof rec, "w%d r%04d ..................", id, i);
        rec[RLEN - 1] = '\n';
        if (write(fd, rec, RLEN) != RLEN) _exit(11);
    }
    _exit(0);
}

int main(void) {
    alarm(20);
    int fd = open("log", O_CREAT | O_WRONLY | O_TRUNC, 0644);
    close(fd);
    fflush(stdout);
    for (int i = 0; i < NPROC; i++)
        if (fork() == 0) writer(i, O_WRONLY | O_APPEND);
    int ok = 1, st;
    for (int i = 0; i < NPROC; i++)
        if (wait(&st) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) ok = 0;
    S("all writers exited 0", ok);
    struct stat s;
    stat("log", &s);
    printf("size %lld (expected %d)\n", (long long)s.st_size, NPROC * NREC * RLEN);
    static char buf[NPROC * NREC * RLEN + 1];
    fd = open("log", O_RDONLY);
    ssize_t n = read(fd, buf, sizeof buf);
    close(fd);
    printf("read %zd\n", n);
    int count[NPROC] = {0}, next[NPROC] = {0}, torn = 0, order = 1;
    for (ssize_t off = 0; off + RLEN <= n; off += RLEN) {
        int id, r;
        if (buf[off + RLEN - 1] != '\n' || sscanf(buf + off, "w%d r%d", &id, &r) != 2 || id < 0 || id >= NPROC) {
            torn++;
            continue;
        }
        if (r != next[id]) order = 0;
        next[id] = r + 1;
        count[id]++;
    }
    for (int i = 0; i < NPROC; i++) printf("writer %d records %d\n", i, count[i]);
    printf("torn records %d, per-writer order kept %d\n", torn, order);

    /* Without O_APPEND each descriptor has its own offset: the writers overwrite. */
    fd = open("log", O_WRONLY | O_TRUNC);
    close(fd);
    fflush(stdout);
    for (int i = 0; i < 2; i++)
        if (fork() == 0) writer(i, O_WRONLY);
    for (int i = 0; i < 2; i++) wait(&st);
    stat("log", &s);
    printf("size without O_APPEND %lld\n", (long long)s.st_size);

    /* A shared O_APPEND descriptor across fork, writes interleaved with lseek. */
    fd = open("log", O_WRONLY | O_APPEND | O_TRUNC);
    fflush(stdout);
    pid_t p = fork();
    if (p == 0) {
        for (int i = 0; i < 100; i++) {
            lseek(fd, 0, SEEK_SET);
            if (write(fd, "c", 1) != 1) _exit(1);
        }
        _exit(0);
    }
    for (int i = 0; i < 100; i++) {
        lseek(fd, 0, SEEK_SET);
        if (write(fd, "p", 1) != 1) return 1;
    }
    waitpid(p, &st, 0);
    V(lseek(fd, 0, SEEK_CUR));
    close(fd);
    stat("log", &s);
    printf("size shared %lld\n", (long long)s.st_size);
    return 0;
}

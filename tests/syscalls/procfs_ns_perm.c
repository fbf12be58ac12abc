// difftest: needs-root
// /proc/PID/ns links are guarded like ptrace: an unprivileged process
// (setuid 65534) may read its own and those of (dumpable) processes with
// its ids, not a root process's (EACCES, for readlink, stat and open
// through the link);
// root may read everyone's.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"

static void probe(const char *who, int pid) {
    char path[64], buf[64];
    snprintf(path, sizeof path, "/proc/%d/ns/net", pid);
    ssize_t n = readlink(path, buf, sizeof buf);
    printf("%s readlink: %s", who, n > 0 ? "ok" : en(errno));
    struct stat st;
    int r = stat(path, &st);
    printf(", stat: %s", r == 0 ? "ok" : en(errno));
    int fd = open(path, O_RDONLY);
    printf(", open: %s", fd >= 0 ? "ok" : en(errno));
    r = lstat(path, &st);
    printf(", lstat: %s\n", r == 0 ? "ok" : en(errno));
    if (fd >= 0)
        close(fd);
}

int main(void) {
    alarm(10);
    pid_t root = getpid();
    int p[2];
    pipe(p);
    fflush(stdout);
    pid_t peer = fork();
    if (peer == 0) {
        /* A process of the unprivileged user, waiting (dumpable again after
           its setuid, so only the ids decide). */
        setuid(65534);
        prctl(PR_SET_DUMPABLE, 1);
        close(p[1]);
        char c;
        read(p[0], &c, 1);
        _exit(0);
    }
    close(p[0]);
    usleep(100000);
    fflush(stdout);
    pid_t c = fork();
    if (c == 0) {
        if (setuid(65534) != 0) {
            printf("setuid: %s\n", en(errno));
            _exit(1);
        }
        probe("own", getpid());
        probe("same user", peer);
        probe("root process", root);
        fflush(stdout);
        _exit(0);
    }
    waitpid(c, NULL, 0);
    probe("root on the unprivileged peer", peer);
    close(p[1]);
    waitpid(peer, NULL, 0);
    return 0;
}

// pidfd_send_signal(2) with a /proc/PID directory descriptor (what psmisc's
// killall does) and with a pidfd from pidfd_open: delivery (SI_USER, and
// rt_sigqueueinfo-style siginfo), signal 0 probes, zombies, reaped
// processes (ESRCH), and the descriptors Linux refuses (EBADF: regular
// files, /proc/PID/task/TID, O_PATH, closed; EINVAL: flags, si_signo),
// and the PIDFD_SIGNAL_THREAD and _THREAD_GROUP flags.
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"

#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

static long psig(int fd, int sig, siginfo_t *info, unsigned flags) {
    return syscall(SYS_pidfd_send_signal, fd, sig, info, flags);
}

static void show(const char *what, long r) {
    printf("%s: %ld %s\n", what, r, en(r < 0 ? errno : 0));
}

/* A child that reports the signals it gets (number, code, value) on a pipe
   and exits after SIGTERM. */
static pid_t spawn(int *rd) {
    int p[2];
    if (pipe(p) != 0)
        return -1;
    fflush(stdout);
    pid_t c = fork();
    if (c == 0) {
        close(p[0]);
        sigset_t m;
        sigemptyset(&m);
        sigaddset(&m, SIGUSR1);
        sigaddset(&m, SIGUSR2);
        sigaddset(&m, SIGTERM);
        sigprocmask(SIG_BLOCK, &m, NULL);
        write(p[1], "r", 1);
        for (;;) {
            siginfo_t si;
            int s = sigwaitinfo(&m, &si);
            char line[96];
            int n = snprintf(line, sizeof line, "got %d code %d value %d uid %d\n", s,
                             si.si_code, s == SIGUSR2 ? si.si_value.sival_int : 0,
                             (int)si.si_uid);
            write(p[1], line, n);
            if (s == SIGTERM)
                _exit(7);
        }
    }
    close(p[1]);
    char ready;
    read(p[0], &ready, 1);
    *rd = p[0];
    return c;
}

static void relay(int rd) {
    char buf[128];
    ssize_t n = read(rd, buf, sizeof buf - 1);
    if (n > 0) {
        buf[n] = 0;
        printf("  child: %s", buf);
    }
}

int main(void) {
    alarm(10);
    int rd = -1;
    pid_t c = spawn(&rd);
    char path[64];
    snprintf(path, sizeof path, "/proc/%d", (int)c);
    int dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    printf("open /proc/PID: %s\n", dfd >= 0 ? "ok" : en(errno));

    show("probe via /proc/PID", psig(dfd, 0, NULL, 0));
    show("USR1 via /proc/PID", psig(dfd, SIGUSR1, NULL, 0));
    relay(rd);

    siginfo_t si;
    memset(&si, 0, sizeof si);
    si.si_signo = SIGUSR2;
    si.si_code = SI_QUEUE;
    si.si_pid = getpid();
    si.si_uid = getuid();
    si.si_value.sival_int = 42;
    show("USR2 with siginfo via /proc/PID", psig(dfd, SIGUSR2, &si, 0));
    relay(rd);
    si.si_signo = SIGUSR1;
    show("si_signo mismatch", psig(dfd, SIGUSR2, &si, 0));
    si.si_signo = SIGUSR2;
    si.si_code = SI_USER;
    show("si_code SI_USER to another process", psig(dfd, SIGUSR2, &si, 0));
    si.si_code = SI_QUEUE;
    si.si_value.sival_int = 43;
    show("unknown flag 0x100", psig(dfd, SIGUSR1, NULL, 0x100));
    show("two flags", psig(dfd, SIGUSR1, NULL, 3));
    show("bad signal 1000", psig(dfd, 1000, NULL, 0));

    int file = open("f", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    show("regular file", psig(file, 0, NULL, 0));
    show("closed descriptor", psig(99, 0, NULL, 0));
    show("negative descriptor", psig(-1, 0, NULL, 0));
    int opath = open(path, O_PATH | O_CLOEXEC);
    show("O_PATH /proc/PID", psig(opath, 0, NULL, 0));
    char tpath[96];
    snprintf(tpath, sizeof tpath, "/proc/%d/task/%d", (int)c, (int)c);
    int tfd = open(tpath, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    printf("open task dir: %s\n", tfd >= 0 ? "ok" : en(errno));
    show("/proc/PID/task/TID", psig(tfd, 0, NULL, 0));
    int self = open("/proc/self", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    show("probe self via /proc/self", psig(self, 0, NULL, 0));
    int fdir = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    show("/proc/self/fd", psig(fdir, 0, NULL, 0));

    int pfd = syscall(SYS_pidfd_open, c, 0);
    printf("pidfd_open: %s\n", pfd >= 0 ? "ok" : en(errno));
    show("USR1 via pidfd", psig(pfd, SIGUSR1, NULL, 0));
    relay(rd);
    /* PIDFD_SIGNAL_THREAD (Linux 6.9): the thread the pid names. */
    show("USR1 to the thread via /proc/PID", psig(dfd, SIGUSR1, NULL, 1));
    relay(rd);
    show("USR2 with siginfo to the thread group", psig(dfd, SIGUSR2, &si, 2));
    relay(rd);

    show("TERM via /proc/PID", psig(dfd, SIGTERM, NULL, 0));
    relay(rd);
    /* A zombie can still be signalled. */
    siginfo_t w;
    memset(&w, 0, sizeof w);
    waitid(P_PID, c, &w, WEXITED | WNOWAIT);
    printf("exited with %d\n", w.si_status);
    show("probe zombie via /proc/PID", psig(dfd, 0, NULL, 0));
    show("probe zombie via pidfd", psig(pfd, 0, NULL, 0));
    int st;
    waitpid(c, &st, 0);
    show("probe reaped via /proc/PID", psig(dfd, 0, NULL, 0));
    show("probe reaped via pidfd", psig(pfd, 0, NULL, 0));
    return 0;
}

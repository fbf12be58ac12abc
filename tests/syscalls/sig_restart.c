// SA_RESTART: a blocking pipe read (and wait4) interrupted by SIGALRM from
// alarm/setitimer is restarted transparently with SA_RESTART and fails with
// EINTR without it; select is never restarted. The handler runs exactly once
// either way and the data written later is still read.
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/select.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common.h"


static volatile sig_atomic_t alarms;
static void on_alarm(int s) { (void)s; alarms++; }

static void set_handler(int flags) {
    struct sigaction a;
    memset(&a, 0, sizeof a);
    a.sa_handler = on_alarm;
    a.sa_flags = flags;
    sigaction(SIGALRM, &a, NULL);
}

static void arm_ms(int ms) {
    struct itimerval it;
    memset(&it, 0, sizeof it);
    it.it_value.tv_usec = ms * 1000;
    setitimer(ITIMER_REAL, &it, NULL);
}

static void msleep(int ms) {
    struct timespec ts = {0, ms * 1000000L};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

// A child that writes one byte into fd after `ms` milliseconds.
static pid_t late_writer(int fd, int ms) {
    fflush(stdout);
    pid_t c = fork();
    if (c == 0) {
        msleep(ms);
        if (write(fd, "x", 1) != 1)
            _exit(1);
        _exit(0);
    }
    return c;
}

static void pipe_read(const char *name, int flags) {
    int p[2];
    char b[4];
    if (pipe(p) != 0)
        return;
    set_handler(flags);
    pid_t c = late_writer(p[1], 300);
    alarms = 0;
    arm_ms(30);
    errno = 0;
    ssize_t n = read(p[0], b, sizeof b);
    int e = errno;
    printf("%s: read=%zd errno=%s alarms=%d\n", name, n, en(e), alarms);
    if (n < 0) {
        n = read(p[0], b, sizeof b);
        printf("%s: second read=%zd\n", name, n);
    }
    int st;
    waitpid(c, &st, 0);
    close(p[0]);
    close(p[1]);
}

static void wait_case(const char *name, int flags) {
    set_handler(flags);
    fflush(stdout);
    pid_t c = fork();
    if (c == 0) {
        msleep(300);
        _exit(4);
    }
    alarms = 0;
    arm_ms(30);
    int st = 0;
    errno = 0;
    pid_t w = waitpid(c, &st, 0);
    int e = errno;
    printf("%s: waitpid matches=%d errno=%s alarms=%d\n", name, w == c, en(e), alarms);
    if (w != c) {
        w = waitpid(c, &st, 0);
        printf("%s: second waitpid matches=%d\n", name, w == c);
    }
    printf("%s: exit code=%d\n", name, WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

int main(void) {
    alarm(10); // safety net, replaced below where setitimer is used
    pipe_read("SA_RESTART read", SA_RESTART);
    pipe_read("no SA_RESTART read", 0);
    wait_case("SA_RESTART wait", SA_RESTART);
    wait_case("no SA_RESTART wait", 0);

    // select is not restarted even with SA_RESTART.
    {
        int p[2];
        if (pipe(p) != 0)
            return 1;
        set_handler(SA_RESTART);
        pid_t c = late_writer(p[1], 300);
        fd_set rs;
        FD_ZERO(&rs);
        FD_SET(p[0], &rs);
        alarms = 0;
        arm_ms(30);
        errno = 0;
        int r = select(p[0] + 1, &rs, NULL, NULL, NULL);
        printf("select with SA_RESTART: r=%d errno=%s alarms=%d\n", r, en(errno), alarms);
        FD_ZERO(&rs);
        FD_SET(p[0], &rs);
        r = select(p[0] + 1, &rs, NULL, NULL, NULL);
        printf("select again: r=%d readable=%d\n", r, FD_ISSET(p[0], &rs));
        int st;
        waitpid(c, &st, 0);
    }

    // alarm() itself interrupting a read (alarm has one-second granularity).
    {
        int p[2];
        if (pipe(p) != 0)
            return 1;
        set_handler(0);
        alarms = 0;
        alarm(1);
        char b;
        errno = 0;
        ssize_t n = read(p[0], &b, 1);
        printf("alarm read: n=%zd errno=%s alarms=%d\n", n, en(errno), alarms);
        printf("alarm left after firing: %u\n", alarm(0));
    }
    return 0;
}

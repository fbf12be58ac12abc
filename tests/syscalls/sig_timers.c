// Timers: alarm return values and sharing ITIMER_REAL; setitimer one-shot,
// periodic (SI_KERNEL), errors, ITIMER_PROF; POSIX timers (SI_TIMER, value,
// overruns, SIGEV_NONE, delete); not inherited by fork; nanosleep and
// clock_nanosleep interrupted give EINTR with time left (booleans only).
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common.h"


static volatile sig_atomic_t alarms, profs;
static void on_alarm(int s) { (void)s; alarms++; }
static void on_prof(int s) { (void)s; profs++; }

static void oneshot_ms(int ms) {
    struct itimerval it;
    memset(&it, 0, sizeof it);
    it.it_value.tv_sec = ms / 1000;
    it.it_value.tv_usec = (ms % 1000) * 1000;
    setitimer(ITIMER_REAL, &it, NULL);
}

int main(void) {
    int r;
    unsigned u;
    sigset_t alrm;
    sigemptyset(&alrm);
    sigaddset(&alrm, SIGALRM);

    // alarm.
    u = alarm(5);
    printf("alarm(5) first: %u\n", u);
    u = alarm(10);
    printf("alarm(10) returns old in (0,5]: %d\n", u > 0 && u <= 5);
    struct itimerval cur;
    getitimer(ITIMER_REAL, &cur);
    printf("getitimer sees alarm: %d interval zero: %d\n",
           cur.it_value.tv_sec > 0 && cur.it_value.tv_sec <= 10,
           cur.it_interval.tv_sec == 0 && cur.it_interval.tv_usec == 0);
    u = alarm(0);
    printf("alarm(0) returns in (0,10]: %d\n", u > 0 && u <= 10);
    printf("alarm(0) again: %u\n", alarm(0));
    oneshot_ms(300);
    printf("alarm(0) with 300ms left rounds up: %u\n", alarm(0));
    oneshot_ms(1700);
    printf("alarm(0) with 1.7s left: %u\n", alarm(0));

    // One-shot SIGALRM via sigwaitinfo.
    sigprocmask(SIG_BLOCK, &alrm, NULL);
    oneshot_ms(20);
    siginfo_t si;
    memset(&si, 0, sizeof si);
    r = sigwaitinfo(&alrm, &si);
    printf("itimer SIGALRM: sig=%d code=%d (SI_KERNEL=%d)\n", r, si.si_code, SI_KERNEL);
    getitimer(ITIMER_REAL, &cur);
    printf("after expiry: disarmed=%d\n", cur.it_value.tv_sec == 0 && cur.it_value.tv_usec == 0);

    // Periodic.
    struct itimerval per = {{0, 5000}, {0, 5000}}, old;
    setitimer(ITIMER_REAL, &per, NULL);
    int n = 0;
    for (; n < 5; n++)
        if (sigwaitinfo(&alrm, &si) != SIGALRM)
            break;
    getitimer(ITIMER_REAL, &cur);
    printf("periodic: got %d, interval=%ld.%06ld armed=%d\n", n, (long)cur.it_interval.tv_sec,
           (long)cur.it_interval.tv_usec, cur.it_value.tv_sec != 0 || cur.it_value.tv_usec != 0);
    memset(&per, 0, sizeof per);
    setitimer(ITIMER_REAL, &per, &old);
    printf("cancel returns old interval=%ld\n", (long)old.it_interval.tv_usec);
    struct timespec zero = {0, 0};
    sigtimedwait(&alrm, &si, &zero); // drop a tick that may be pending
    sigprocmask(SIG_UNBLOCK, &alrm, NULL);

    // Errors.
    errno = 0;
    r = setitimer(7, &per, NULL);
    printf("setitimer bad which: r=%d errno=%s\n", r, en(errno));
    per.it_value.tv_usec = 2000000;
    errno = 0;
    r = setitimer(ITIMER_REAL, &per, NULL);
    printf("setitimer usec 2e6: r=%d errno=%s\n", r, en(errno));
    errno = 0;
    r = getitimer(7, &cur);
    printf("getitimer bad which: r=%d errno=%s\n", r, en(errno));

    // ITIMER_PROF counts CPU time: spin until it fires.
    signal(SIGPROF, on_prof);
    struct itimerval prof = {{0, 0}, {0, 10000}};
    setitimer(ITIMER_PROF, &prof, NULL);
    volatile unsigned long spin = 0;
    while (!profs)
        spin++;
    printf("ITIMER_PROF fired: %d\n", profs);

    // Timers are not inherited by a child.
    alarm(7);
    fflush(stdout);
    pid_t c = fork();
    if (c == 0) {
        unsigned left = alarm(0);
        _exit(left == 0 ? 0 : 1);
    }
    int st;
    waitpid(c, &st, 0);
    printf("child has no alarm: %d\n", WIFEXITED(st) && WEXITSTATUS(st) == 0);
    alarm(0);

    // POSIX timer, SIGEV_SIGNAL.
    int rt = SIGRTMIN + 1;
    sigset_t rts;
    sigemptyset(&rts);
    sigaddset(&rts, rt);
    sigprocmask(SIG_BLOCK, &rts, NULL);
    struct sigevent ev;
    memset(&ev, 0, sizeof ev);
    ev.sigev_notify = SIGEV_SIGNAL;
    ev.sigev_signo = rt;
    ev.sigev_value.sival_int = 4242;
    timer_t t;
    r = timer_create(CLOCK_MONOTONIC, &ev, &t);
    printf("timer_create: %d\n", r);
    struct itimerspec its = {{0, 0}, {0, 10000000}};
    r = timer_settime(t, 0, &its, NULL);
    memset(&si, 0, sizeof si);
    int s = sigwaitinfo(&rts, &si);
    printf("timer signal: is_rt=%d code=%d (SI_TIMER=%d) value=%d overrun=%d\n", s == rt, si.si_code,
           SI_TIMER, si.si_value.sival_int, timer_getoverrun(t));
    struct itimerspec g;
    timer_gettime(t, &g);
    printf("after expiry disarmed: %d\n", g.it_value.tv_sec == 0 && g.it_value.tv_nsec == 0);

    // Periodic 1ms timer while the signal is blocked: one signal queued,
    // the rest counted as overruns.
    struct itimerspec p1 = {{0, 1000000}, {0, 1000000}};
    timer_settime(t, 0, &p1, NULL);
    struct timespec d = {0, 50000000};
    nanosleep(&d, NULL);
    memset(&si, 0, sizeof si);
    s = sigtimedwait(&rts, &si, &zero);
    int over = si.si_overrun, gover = timer_getoverrun(t);
    printf("blocked periodic: got=%d overrun in siginfo>0=%d getoverrun matches=%d\n", s == rt,
           over > 0, gover == over);
    struct itimerspec off;
    memset(&off, 0, sizeof off);
    timer_settime(t, 0, &off, NULL);
    while (sigtimedwait(&rts, &si, &zero) == rt)
        ;

    // Absolute time in the past fires immediately.
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    struct itimerspec past = {{0, 0}, {now.tv_sec - 1, now.tv_nsec}};
    if (past.it_value.tv_sec < 0)
        past.it_value.tv_sec = 0, past.it_value.tv_nsec = 1;
    timer_settime(t, TIMER_ABSTIME, &past, NULL);
    struct timespec one = {1, 0};
    s = sigtimedwait(&rts, &si, &one);
    printf("absolute past fires: %d\n", s == rt);

    r = timer_delete(t);
    printf("timer_delete: %d\n", r);
    errno = 0;
    r = timer_settime(t, 0, &its, NULL);
    printf("settime deleted timer: r=%d errno=%s\n", r, en(errno));
    errno = 0;
    r = timer_create(12345, &ev, &t);
    printf("timer_create bad clock: r=%d errno=%s\n", r, en(errno));
    ev.sigev_signo = 99;
    errno = 0;
    r = timer_create(CLOCK_MONOTONIC, &ev, &t);
    printf("timer_create bad signal: r=%d errno=%s\n", r, en(errno));

    // SIGEV_NONE: no signal, but the time runs.
    memset(&ev, 0, sizeof ev);
    ev.sigev_notify = SIGEV_NONE;
    timer_create(CLOCK_MONOTONIC, &ev, &t);
    struct itimerspec longer = {{0, 0}, {10, 0}};
    timer_settime(t, 0, &longer, NULL);
    timer_gettime(t, &g);
    printf("SIGEV_NONE remaining in (0,10s]: %d\n",
           (g.it_value.tv_sec > 0 || g.it_value.tv_nsec > 0) && g.it_value.tv_sec <= 10);
    timer_delete(t);

    // nanosleep interrupted: EINTR and a remaining time.
    struct sigaction a;
    memset(&a, 0, sizeof a);
    a.sa_handler = on_alarm;
    a.sa_flags = SA_RESTART; // nanosleep is never restarted
    sigaction(SIGALRM, &a, NULL);
    oneshot_ms(20);
    struct timespec req = {2, 0}, rem = {0, 0};
    errno = 0;
    r = nanosleep(&req, &rem);
    printf("nanosleep: r=%d errno=%s alarms=%d rem>0=%d rem<2s=%d\n", r, en(errno), alarms,
           rem.tv_sec > 0 || rem.tv_nsec > 0, rem.tv_sec < 2);
    // clock_nanosleep returns the error number instead of setting errno.
    oneshot_ms(20);
    errno = 0;
    memset(&rem, 0, sizeof rem);
    r = clock_nanosleep(CLOCK_MONOTONIC, 0, &req, &rem);
    printf("clock_nanosleep: r=%s errno=%s alarms=%d rem>0=%d\n", en(r), en(errno), alarms,
           rem.tv_sec > 0 || rem.tv_nsec > 0);
    // Absolute sleep: interrupted, rem is not written.
    clock_gettime(CLOCK_MONOTONIC, &now);
    now.tv_sec += 2;
    oneshot_ms(20);
    rem.tv_sec = 77;
    r = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &now, &rem);
    printf("absolute clock_nanosleep: r=%s alarms=%d rem untouched=%d\n", en(r), alarms,
           rem.tv_sec == 77);
    errno = 0;
    req.tv_nsec = 1000000000;
    r = nanosleep(&req, NULL);
    printf("nanosleep bad nsec: r=%d errno=%s\n", r, en(errno));

    // The default action of SIGALRM ends the process.
    fflush(stdout);
    c = fork();
    if (c == 0) {
        signal(SIGALRM, SIG_DFL);
        oneshot_ms(10);
        for (;;)
            pause();
    }
    waitpid(c, &st, 0);
    printf("default SIGALRM: signaled=%d sig=%d\n", WIFSIGNALED(st),
           WIFSIGNALED(st) ? WTERMSIG(st) : -1);
    return 0;
}

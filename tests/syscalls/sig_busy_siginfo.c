// Signals arriving while the receiver is busy in (trapped) system calls keep
// their siginfo: sigqueue'd RT signals from a child arrive once each, in
// order, with SI_QUEUE/value/pid; POSIX timer signals carry SI_TIMER and
// their value; setitimer SIGALRMs carry SI_KERNEL.
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define N 400

static volatile sig_atomic_t got, bad_code, bad_order, bad_pid, timer_hits, timer_bad,
    alrm_hits, alrm_bad;
static volatile pid_t sender;

static void on_rt(int s, siginfo_t *si, void *uc) {
    (void)s;
    (void)uc;
    if (si->si_code != SI_QUEUE)
        bad_code++;
    else if (si->si_value.sival_int != got)
        bad_order++;
    if (si->si_pid != sender)
        bad_pid++;
    got++;
}

static void on_timer(int s, siginfo_t *si, void *uc) {
    (void)s;
    (void)uc;
    timer_hits++;
    if (si->si_code != SI_TIMER || si->si_value.sival_int != 5150)
        timer_bad++;
}

static void on_alrm(int s, siginfo_t *si, void *uc) {
    (void)s;
    (void)uc;
    alrm_hits++;
    if (si->si_code != SI_KERNEL)
        alrm_bad++;
}

// Busy work made of system calls.
static void busy(void) {
    char buf[256];
    int fd = open("scratch-file", O_RDWR | O_CREAT, 0644);
    if (fd >= 0) {
        if (pread(fd, buf, sizeof buf, 0) < 0)
            bad_code += 1000;
        close(fd);
    }
    fd = open("/dev/null", O_RDONLY);
    if (fd >= 0)
        close(fd);
    struct stat st;
    stat(".", &st);
    if (!getcwd(buf, sizeof buf))
        bad_code += 1000;
}

int main(void) {
    alarm(30);
    struct sigaction a;
    memset(&a, 0, sizeof a);
    a.sa_flags = SA_SIGINFO | SA_RESTART;
    a.sa_sigaction = on_rt;
    sigaction(SIGRTMIN + 3, &a, NULL);
    a.sa_sigaction = on_timer;
    sigaction(SIGRTMIN + 4, &a, NULL);
    a.sa_sigaction = on_alrm;
    sigaction(SIGALRM, &a, NULL);

    // A child floods us with numbered real-time signals.
    sigset_t rt;
    sigemptyset(&rt);
    sigaddset(&rt, SIGRTMIN + 3);
    sigprocmask(SIG_BLOCK, &rt, NULL);
    fflush(stdout);
    pid_t c = fork();
    if (c == 0) {
        pid_t p = getppid();
        int fails = 0;
        for (int i = 0; i < N; i++) {
            union sigval v = {.sival_int = i};
            while (sigqueue(p, SIGRTMIN + 3, v) != 0)
                if (++fails > 100000)
                    _exit(1);
            if (i % 16 == 0) {
                struct timespec d = {0, 200000};
                nanosleep(&d, NULL);
            }
        }
        _exit(0);
    }
    sender = c;
    sigprocmask(SIG_UNBLOCK, &rt, NULL);
    int rounds = 0;
    while ((got < N || rounds < 3000) && rounds < 200000) {
        busy();
        rounds++;
    }
    int st;
    waitpid(c, &st, 0);
    printf("sender exited ok: %d\n", WIFEXITED(st) && WEXITSTATUS(st) == 0);
    printf("rt signals: all received=%d bad code=%d out of order=%d bad pid=%d\n", got == N,
           bad_code, bad_order, bad_pid);

    // A fast POSIX timer and a fast itimer while we keep busy.
    struct sigevent ev;
    memset(&ev, 0, sizeof ev);
    ev.sigev_notify = SIGEV_SIGNAL;
    ev.sigev_signo = SIGRTMIN + 4;
    ev.sigev_value.sival_int = 5150;
    timer_t t;
    timer_create(CLOCK_MONOTONIC, &ev, &t);
    struct itimerspec its = {{0, 300000}, {0, 300000}};
    timer_settime(t, 0, &its, NULL);
    struct itimerval it = {{0, 700}, {0, 700}};
    setitimer(ITIMER_REAL, &it, NULL);
    rounds = 0;
    while ((timer_hits < 100 || alrm_hits < 100 || rounds < 3000) && rounds < 200000) {
        busy();
        rounds++;
    }
    memset(&its, 0, sizeof its);
    timer_settime(t, 0, &its, NULL);
    memset(&it, 0, sizeof it);
    setitimer(ITIMER_REAL, &it, NULL);
    printf("timer: enough=%d bad=%d\n", timer_hits >= 100, timer_bad);
    printf("itimer: enough=%d bad=%d\n", alrm_hits >= 100, alrm_bad);
    return 0;
}

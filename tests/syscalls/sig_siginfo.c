// SA_SIGINFO handlers see the right siginfo: si_signo, si_code (SI_USER for
// kill, SI_TKILL for tgkill/raise, SI_QUEUE with si_value for sigqueue and
// rt_sigqueueinfo), si_pid of the sender (self or a child) and si_uid, and a
// ucontext pointer whose saved mask is the mask before delivery.
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

static siginfo_t got;
static volatile sig_atomic_t hits;
static int uc_ok, uc_has_hup;

static void h(int s, siginfo_t *si, void *ucv) {
    ucontext_t *uc = ucv;
    got = *si;
    hits++;
    uc_ok = uc != NULL && s == si->si_signo;
    uc_has_hup = uc ? sigismember(&uc->uc_sigmask, SIGHUP) : -1;
}

static void show(const char *what, int pid) {
    printf("%s: hits=%d signo=%d code=%d errno=%d pid_match=%d uid_match=%d uc_ok=%d\n", what,
           hits, got.si_signo, got.si_code, got.si_errno, got.si_pid == pid,
           got.si_uid == getuid(), uc_ok);
    hits = 0;
    memset(&got, 0, sizeof got);
}

int main(void) {
    struct sigaction a;
    memset(&a, 0, sizeof a);
    a.sa_sigaction = h;
    a.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR1, &a, NULL);
    sigaction(SIGUSR2, &a, NULL);
    sigaction(SIGRTMIN + 2, &a, NULL);
    int me = getpid();

    printf("constants: SI_USER=%d SI_QUEUE=%d SI_TKILL=%d\n", SI_USER, SI_QUEUE, SI_TKILL);
    kill(me, SIGUSR1);
    show("kill self", me);
    raise(SIGUSR2);
    show("raise", me);
    syscall(SYS_tgkill, me, (int)syscall(SYS_gettid), SIGUSR1);
    show("tgkill", me);
    syscall(SYS_tkill, (int)syscall(SYS_gettid), SIGUSR1);
    show("tkill", me);

    union sigval v;
    v.sival_int = 1234;
    sigqueue(me, SIGUSR1, v);
    printf("sigqueue value=%d\n", got.si_value.sival_int);
    show("sigqueue", me);

    v.sival_int = -77;
    sigqueue(me, SIGRTMIN + 2, v);
    printf("sigqueue rt value=%d signo_is_rtmin2=%d\n", got.si_value.sival_int,
           got.si_signo == SIGRTMIN + 2);
    show("sigqueue rt", me);

    // rt_sigqueueinfo to self may carry any negative si_code and any pid.
    siginfo_t si;
    memset(&si, 0, sizeof si);
    si.si_signo = SIGUSR2;
    si.si_code = -42;
    si.si_pid = 4242;
    si.si_uid = 77;
    si.si_value.sival_int = 9;
    long r = syscall(SYS_rt_sigqueueinfo, me, SIGUSR2, &si);
    printf("rt_sigqueueinfo self: r=%ld code=%d pid=%d uid=%d value=%d\n", r, got.si_code,
           got.si_pid, got.si_uid, got.si_value.sival_int);
    hits = 0;

    // The saved mask in the ucontext is the mask before the handler.
    sigset_t m;
    sigemptyset(&m);
    sigaddset(&m, SIGHUP);
    sigprocmask(SIG_BLOCK, &m, NULL);
    kill(me, SIGUSR1);
    printf("uc_sigmask has blocked SIGHUP: %d\n", uc_has_hup);
    sigprocmask(SIG_UNBLOCK, &m, NULL);
    kill(me, SIGUSR1);
    printf("uc_sigmask after unblock has SIGHUP: %d\n", uc_has_hup);
    hits = 0;

    // A signal from a child: si_pid is the child's pid. Block first so the
    // signal waits until the child is reaped.
    sigemptyset(&m);
    sigaddset(&m, SIGUSR2);
    sigprocmask(SIG_BLOCK, &m, NULL);
    fflush(stdout);
    pid_t c = fork();
    if (c == 0) {
        kill(getppid(), SIGUSR2);
        _exit(0);
    }
    int st;
    waitpid(c, &st, 0);
    printf("before unblock hits=%d\n", hits);
    sigprocmask(SIG_UNBLOCK, &m, NULL);
    show("from child", c);

    // The child queues a value with sigqueue.
    sigprocmask(SIG_BLOCK, &m, NULL);
    fflush(stdout);
    c = fork();
    if (c == 0) {
        union sigval cv;
        cv.sival_int = 555;
        sigqueue(getppid(), SIGUSR2, cv);
        _exit(0);
    }
    waitpid(c, &st, 0);
    sigprocmask(SIG_UNBLOCK, &m, NULL);
    printf("child sigqueue value=%d\n", got.si_value.sival_int);
    show("child sigqueue", c);

    // A kernel-generated signal: SIGCHLD info via SA_SIGINFO.
    sigaction(SIGCHLD, &a, NULL);
    sigemptyset(&m);
    sigaddset(&m, SIGCHLD);
    sigprocmask(SIG_BLOCK, &m, NULL);
    fflush(stdout);
    c = fork();
    if (c == 0)
        _exit(7);
    {
        siginfo_t wi;
        memset(&wi, 0, sizeof wi);
        waitid(P_PID, c, &wi, WEXITED | WNOWAIT);
    }
    sigprocmask(SIG_UNBLOCK, &m, NULL);
    printf("SIGCHLD: code_is_exited=%d status=%d\n", got.si_code == CLD_EXITED, got.si_status);
    show("SIGCHLD", c);
    waitpid(c, &st, 0);
    return 0;
}

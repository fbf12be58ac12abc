// Signals and threads: tgkill/pthread_kill reach the target thread; a
// process-directed signal goes to the one thread not blocking it; sigwait
// thread; per-thread masks and pending sets; faults handled in the faulting
// thread; a fatal signal in a thread ends the process; ESRCH after exit.
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common.h"


static pid_t gettid_(void) { return (pid_t)syscall(SYS_gettid); }

static volatile pid_t handler_tid;
static sem_t handled;
static void h(int s) {
    (void)s;
    handler_tid = gettid_();
    sem_post(&handled);
}

static int wait_handled(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += 3;
    while (sem_timedwait(&handled, &ts) != 0)
        if (errno != EINTR)
            return 0;
    return 1;
}

// Worker threads: record their tid, block `block` (if any), then wait.
struct worker {
    pthread_t th;
    pid_t tid;
    int block; // signal to block, 0 for none
    sem_t ready, go;
    int pend_usr1;
};

static void *worker_main(void *arg) {
    struct worker *w = arg;
    w->tid = gettid_();
    if (w->block) {
        sigset_t m;
        sigemptyset(&m);
        sigaddset(&m, w->block);
        pthread_sigmask(SIG_BLOCK, &m, NULL);
    }
    sem_post(&w->ready);
    while (sem_wait(&w->go) != 0)
        ;
    sigset_t p;
    sigpending(&p);
    w->pend_usr1 = sigismember(&p, SIGUSR1);
    return NULL;
}

static void start(struct worker *w, int block) {
    w->block = block;
    sem_init(&w->ready, 0, 0);
    sem_init(&w->go, 0, 0);
    pthread_create(&w->th, NULL, worker_main, w);
    while (sem_wait(&w->ready) != 0)
        ;
}

static void stop(struct worker *w) {
    sem_post(&w->go);
    pthread_join(w->th, NULL);
}

static void *sigwaiter(void *arg) {
    sigset_t *set = arg;
    int sig = 0;
    siginfo_t si;
    sig = sigwaitinfo(set, &si);
    return (void *)(long)(sig * 1000 + (si.si_code == SI_USER));
}

static __thread sigjmp_buf tjb;
static volatile pid_t fault_tid;
static volatile int fault_sig;
static void on_fault(int s) {
    fault_sig = s;
    fault_tid = gettid_();
    siglongjmp(tjb, 1);
}
static volatile int *volatile nullp;
static volatile int zero_div;
static void *faulter(void *arg) {
    long kind = (long)arg;
    if (sigsetjmp(tjb, 1) == 0) {
        switch (kind) {
        case 0: (void)*nullp; break;
        case 1: zero_div = 10 / zero_div; break;
        case 2: __asm__ volatile("ud2"); break;
        case 3: __asm__ volatile("int3"); break;
        }
    }
    return (void *)(long)gettid_();
}

static void *thread_mask(void *arg) {
    (void)arg;
    sigset_t m;
    pthread_sigmask(SIG_BLOCK, NULL, &m);
    return (void *)(long)(sigismember(&m, SIGHUP) * 10 + sigismember(&m, SIGUSR2));
}

static void *killer_thread(void *arg) {
    long how = (long)arg;
    if (how == 0)
        raise(SIGTERM);
    else
        (void)*nullp;
    for (;;)
        pause();
    return NULL;
}

int main(void) {
    alarm(20);
    sem_init(&handled, 0, 0);
    struct sigaction a;
    memset(&a, 0, sizeof a);
    a.sa_handler = h;
    sigaction(SIGUSR1, &a, NULL);
    sigaction(SIGUSR2, &a, NULL);
    pid_t me = getpid(), main_tid = gettid_();
    printf("main tid is pid: %d\n", main_tid == me);

    struct worker w1, w2;
    start(&w1, 0);
    start(&w2, 0);
    printf("worker tids distinct: %d\n", w1.tid != w2.tid && w1.tid != me && w2.tid != me);

    // Thread-directed.
    int r = (int)syscall(SYS_tgkill, me, w2.tid, SIGUSR1);
    int ok = wait_handled();
    printf("tgkill w2: r=%d handled=%d in w2=%d\n", r, ok, handler_tid == w2.tid);
    r = pthread_kill(w1.th, SIGUSR1);
    ok = wait_handled();
    printf("pthread_kill w1: r=%d handled=%d in w1=%d\n", r, ok, handler_tid == w1.tid);
    r = (int)syscall(SYS_tgkill, me, main_tid, SIGUSR1);
    ok = wait_handled();
    printf("tgkill main: r=%d handled=%d in main=%d\n", r, ok, handler_tid == main_tid);
    r = (int)syscall(SYS_tkill, w2.tid, SIGUSR1);
    ok = wait_handled();
    printf("tkill w2: r=%d handled=%d in w2=%d\n", r, ok, handler_tid == w2.tid);
    stop(&w1);
    stop(&w2);

    // Process-directed, all but w2 block SIGUSR2.
    sigset_t m;
    sigemptyset(&m);
    sigaddset(&m, SIGUSR2);
    pthread_sigmask(SIG_BLOCK, &m, NULL);
    start(&w1, SIGUSR2);
    // w2 is created while we do not block SIGUSR2, so it does not either.
    pthread_sigmask(SIG_UNBLOCK, &m, NULL);
    start(&w2, 0);
    pthread_sigmask(SIG_BLOCK, &m, NULL);
    for (int i = 0; i < 3; i++) {
        kill(me, SIGUSR2);
        ok = wait_handled();
        printf("kill process #%d: handled=%d in the unblocked thread=%d\n", i, ok,
               handler_tid == w2.tid);
    }
    stop(&w1);
    stop(&w2);
    pthread_sigmask(SIG_UNBLOCK, &m, NULL);

    // New threads inherit the creator's mask.
    sigemptyset(&m);
    sigaddset(&m, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &m, NULL);
    pthread_t t;
    void *res;
    pthread_create(&t, NULL, thread_mask, NULL);
    pthread_join(t, &res);
    printf("inherited mask: hup=%ld usr2=%ld\n", (long)res / 10, (long)res % 10);
    pthread_sigmask(SIG_UNBLOCK, &m, NULL);

    // Thread-directed pending is per thread; process-directed is shared.
    sigemptyset(&m);
    sigaddset(&m, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &m, NULL);
    start(&w1, SIGUSR1);
    syscall(SYS_tgkill, me, w1.tid, SIGUSR1);
    sigset_t p;
    sigpending(&p);
    printf("main sees w1's thread-directed pending: %d\n", sigismember(&p, SIGUSR1));
    stop(&w1);
    printf("w1 sees its own pending: %d\n", w1.pend_usr1);
    start(&w1, SIGUSR1);
    kill(me, SIGUSR1);
    sigpending(&p);
    printf("main sees process-directed pending: %d\n", sigismember(&p, SIGUSR1));
    stop(&w1);
    printf("w1 sees process-directed pending: %d\n", w1.pend_usr1);
    siginfo_t si;
    struct timespec zero = {0, 0};
    printf("main takes it: %d\n", sigtimedwait(&m, &si, &zero));
    pthread_sigmask(SIG_UNBLOCK, &m, NULL);

    // sigwait in a dedicated thread.
    static sigset_t hup;
    sigemptyset(&hup);
    sigaddset(&hup, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &hup, NULL);
    pthread_create(&t, NULL, sigwaiter, &hup);
    kill(me, SIGHUP);
    pthread_join(t, &res);
    printf("sigwaiter got sig=%ld si_user=%ld\n", (long)res / 1000, (long)res % 1000);

    // tgkill to an exited thread: once the kernel has released it (shortly
    // after pthread_join returns), ESRCH; a probe never delivers anything.
    start(&w1, 0);
    pid_t gone = w1.tid;
    stop(&w1);
    int e = 0;
    for (int i = 0; i < 2000; i++) {
        errno = 0;
        if (syscall(SYS_tgkill, me, gone, 0) != 0) {
            e = errno;
            break;
        }
        struct timespec d = {0, 1000000};
        nanosleep(&d, NULL);
    }
    printf("tgkill exited thread: errno=%s\n", en(e));
    r = pthread_kill(pthread_self(), 0);
    printf("pthread_kill self 0: %d\n", r);
    r = pthread_kill(pthread_self(), 99);
    printf("pthread_kill bad signal: %s\n", en(r));

    // A fault in a thread runs the handler in that thread.
    signal(SIGSEGV, on_fault);
    signal(SIGFPE, on_fault);
    signal(SIGILL, on_fault);
    signal(SIGTRAP, on_fault);
    for (long kind = 0; kind < 4; kind++) {
        fault_tid = 0;
        fault_sig = 0;
        pthread_create(&t, NULL, faulter, (void *)kind);
        pthread_join(t, &res);
        printf("fault kind %ld: sig=%d handled in faulting thread=%d\n", kind, fault_sig,
               fault_tid == (pid_t)(long)res);
    }
    signal(SIGSEGV, SIG_DFL);

    // A fatal signal raised in, or a fault in, a non-main thread ends the
    // whole process.
    for (long how = 0; how < 2; how++) {
        fflush(stdout);
        pid_t c = fork();
        if (c == 0) {
            pthread_t k;
            pthread_create(&k, NULL, killer_thread, (void *)how);
            for (;;)
                pause();
        }
        int st;
        waitpid(c, &st, 0);
        printf("%s in thread: signaled=%d sig=%d\n", how ? "fault" : "raise(SIGTERM)",
               WIFSIGNALED(st), WIFSIGNALED(st) ? WTERMSIG(st) : -1);
    }
    return 0;
}

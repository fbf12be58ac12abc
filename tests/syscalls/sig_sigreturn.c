// rt_sigreturn: after a handler returns, the interrupted code continues with
// its registers (integer and SSE) intact, even under a stream of timer
// signals and nested handlers; changes a handler makes to its ucontext
// (rax, rip, uc_sigmask) take effect on return; siglongjmp restores the mask.
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <ucontext.h>
#include <unistd.h>

static volatile sig_atomic_t ticks;
static volatile double sink;

static void tick(int s) {
    (void)s;
    // Use SSE and integer registers heavily.
    double d = 1.0;
    for (int i = 1; i < 50; i++)
        d = d * 1.0001 + i / 3.0;
    sink = d;
    ticks++;
}

static char trace[64];
static volatile sig_atomic_t tl;
static void t(char c) {
    if (tl < 63)
        trace[tl++] = c;
}
static void n_usr1(int s) {
    (void)s;
    t('1');
    raise(SIGUSR2);
    t('!');
}
static void n_usr2(int s) {
    (void)s;
    t('2');
    raise(SIGHUP);
    t('@');
}
static void n_hup(int s) {
    (void)s;
    t('3');
    t('#');
}

static void on_trap(int s, siginfo_t *si, void *ucv) {
    (void)s;
    (void)si;
    ucontext_t *uc = ucv;
    uc->uc_mcontext.gregs[REG_RAX] = 42;
    uc->uc_mcontext.gregs[REG_RBX] += 1000;
}

static void on_ill(int s, siginfo_t *si, void *ucv) {
    (void)s;
    (void)si;
    ucontext_t *uc = ucv;
    uc->uc_mcontext.gregs[REG_RIP] += 2; // skip the ud2
    uc->uc_mcontext.gregs[REG_RAX] = 7;
}

static void block_in_uc(int s, siginfo_t *si, void *ucv) {
    (void)s;
    (void)si;
    ucontext_t *uc = ucv;
    sigaddset(&uc->uc_sigmask, SIGWINCH);
    sigdelset(&uc->uc_sigmask, SIGINT);
}

static sigjmp_buf jb;
static void jump(int s) { siglongjmp(jb, s); }

static int blocked(int s) {
    sigset_t m;
    sigprocmask(SIG_BLOCK, NULL, &m);
    return sigismember(&m, s);
}

int main(void) {
    struct sigaction a;
    memset(&a, 0, sizeof a);

    // 1. A computation interrupted many times gives the right answer.
    a.sa_handler = tick;
    sigaction(SIGALRM, &a, NULL);
    struct itimerval it = {{0, 200}, {0, 200}};
    setitimer(ITIMER_REAL, &it, NULL);
    unsigned long long acc = 0, rounds = 0;
    double facc = 0;
    while (ticks < 200 || rounds < 1000) {
        for (unsigned long long i = 1; i <= 1000; i++) {
            acc += i * i ^ (i >> 3);
            facc += (double)i * 0.5;
        }
        rounds++;
    }
    memset(&it, 0, sizeof it);
    setitimer(ITIMER_REAL, &it, NULL);
    unsigned long long want = 0;
    double fwant = 0;
    for (unsigned long long i = 1; i <= 1000; i++) {
        want += i * i ^ (i >> 3);
        fwant += (double)i * 0.5;
    }
    printf("interrupted computation correct: int=%d fp=%d ticks>=200=%d\n", acc == want * rounds,
           facc == fwant * (double)rounds, ticks >= 200);

    // 2. Nested handlers return in order.
    a.sa_handler = n_usr1;
    sigaction(SIGUSR1, &a, NULL);
    a.sa_handler = n_usr2;
    sigaction(SIGUSR2, &a, NULL);
    a.sa_handler = n_hup;
    sigaction(SIGHUP, &a, NULL);
    raise(SIGUSR1);
    trace[tl] = 0;
    printf("nested trace: %s\n", trace);

    // 3. A handler edits the saved registers.
    a.sa_sigaction = on_trap;
    a.sa_flags = SA_SIGINFO;
    sigaction(SIGTRAP, &a, NULL);
    long rax, rbx = 5;
    __asm__ volatile("mov $1, %%eax\n\tint3\n\t" : "=a"(rax), "+b"(rbx)::"memory");
    printf("after int3: rax=%ld rbx=%ld\n", rax, rbx);

    a.sa_sigaction = on_ill;
    sigaction(SIGILL, &a, NULL);
    __asm__ volatile("mov $3, %%eax\n\tud2\n\t" : "=a"(rax)::"memory");
    printf("after ud2 skipped: rax=%ld\n", rax);

    // 4. The handler edits uc_sigmask: the mask after return is the new one.
    a.sa_sigaction = block_in_uc;
    sigaction(SIGUSR1, &a, NULL);
    sigset_t m;
    sigemptyset(&m);
    sigaddset(&m, SIGINT);
    sigprocmask(SIG_BLOCK, &m, NULL);
    raise(SIGUSR1);
    printf("mask after uc edit: winch=%d int=%d usr1=%d\n", blocked(SIGWINCH), blocked(SIGINT),
           blocked(SIGUSR1));
    sigemptyset(&m);
    sigaddset(&m, SIGWINCH);
    sigprocmask(SIG_UNBLOCK, &m, NULL);

    // 5. siglongjmp out of a handler: with savemask the handler's blocking of
    // its signal is undone; with _longjmp-like savemask=0 it stays.
    memset(&a, 0, sizeof a);
    a.sa_handler = jump;
    sigaction(SIGUSR2, &a, NULL);
    int r = sigsetjmp(jb, 1);
    if (r == 0) {
        raise(SIGUSR2);
        printf("not reached\n");
    }
    printf("siglongjmp savemask=1: got=%d usr2 blocked=%d\n", r, blocked(SIGUSR2));
    r = sigsetjmp(jb, 0);
    if (r == 0) {
        raise(SIGUSR2);
        printf("not reached\n");
    }
    printf("siglongjmp savemask=0: got=%d usr2 blocked=%d\n", r, blocked(SIGUSR2));
    return 0;
}

// SIGFPE (idiv by zero, INT_MIN/-1: FPE_INTDIV, si_addr = the idiv), SIGILL
// (ud2: ILL_ILLOPN, si_addr = the ud2) and SIGTRAP (int3: SI_KERNEL, rip
// after it), caught and left with siglongjmp, repeatable; raise gives
// SI_TKILL; with SA_RESETHAND the second ud2 kills.
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

static sigjmp_buf jb;
static siginfo_t last;
static volatile uintptr_t last_rip;
static volatile int hits;

static void on_trap(int s, siginfo_t *si, void *ucv) {
    (void)s;
    ucontext_t *uc = ucv;
    last = *si;
    last_rip = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
    hits++;
    siglongjmp(jb, 1);
}

static volatile int zero = 0, minus_one = -1, big = INT_MIN, sink;
extern char ud2_at[], int3_after[], div_at[];

__attribute__((noinline, noclone)) static void do_div(void) {
    int q;
    __asm__ volatile("mov %1, %%eax\n\tcltd\n\t"
                     ".globl div_at\ndiv_at:\n\t"
                     "idivl %2\n\t"
                     : "=a"(q)
                     : "r"((int)7), "r"(zero)
                     : "edx");
    sink = q;
}

__attribute__((noinline, noclone)) static void do_ud2(void) { __asm__ volatile(".globl ud2_at\nud2_at:\n\tud2\n\t"); }

__attribute__((noinline, noclone)) static void do_int3(void) { __asm__ volatile("int3\n\t.globl int3_after\nint3_after:\n\tnop\n\t"); }

#define TRAP(what, expr)                                                                           \
    do {                                                                                           \
        int f_ = 0;                                                                                \
        memset(&last, 0, sizeof last);                                                             \
        last_rip = 0;                                                                              \
        if (sigsetjmp(jb, 1) == 0) {                                                               \
            expr;                                                                                  \
        } else {                                                                                   \
            f_ = 1;                                                                                \
        }                                                                                          \
        printf("%s: trapped=%d signo=%d code=%d\n", what, f_, last.si_signo, last.si_code);        \
    } while (0)

int main(void) {
    struct sigaction a;
    memset(&a, 0, sizeof a);
    a.sa_sigaction = on_trap;
    a.sa_flags = SA_SIGINFO;
    sigaction(SIGFPE, &a, NULL);
    sigaction(SIGILL, &a, NULL);
    sigaction(SIGTRAP, &a, NULL);
    printf("constants: FPE_INTDIV=%d ILL_ILLOPN=%d SI_KERNEL=%d\n", FPE_INTDIV, ILL_ILLOPN,
           SI_KERNEL);

    TRAP("idiv by zero (asm)", do_div());
    printf("  si_addr at idiv=%d rip at idiv=%d\n", last.si_addr == (void *)div_at,
           last_rip == (uintptr_t)div_at);
    TRAP("C division by zero", sink = 10 / zero);
    TRAP("C modulo by zero", sink = 10 % zero);
    TRAP("INT_MIN / -1", sink = big / minus_one);
    TRAP("7 / -1 (no trap)", sink = 7 / minus_one);
    printf("  value=%d\n", sink);

    TRAP("ud2", do_ud2());
    printf("  si_addr at ud2=%d rip at ud2=%d\n", last.si_addr == (void *)ud2_at,
           last_rip == (uintptr_t)ud2_at);
    TRAP("ud2 again", do_ud2());

    TRAP("int3", do_int3());
    printf("  rip after int3=%d\n", last_rip == (uintptr_t)int3_after);
    TRAP("int3 again", do_int3());

    // raise() of the same signals: SI_TKILL, not a kernel code.
    TRAP("raise SIGFPE", raise(SIGFPE));
    TRAP("raise SIGILL", raise(SIGILL));
    TRAP("raise SIGTRAP", raise(SIGTRAP));
    printf("hits=%d\n", hits);

    // SA_RESETHAND: the first trap is handled, the second uses SIG_DFL.
    fflush(stdout);
    pid_t c = fork();
    if (c == 0) {
        struct rlimit rl = {0, 0};
        setrlimit(RLIMIT_CORE, &rl);
        a.sa_flags = SA_SIGINFO | SA_RESETHAND;
        sigaction(SIGILL, &a, NULL);
        TRAP("child ud2 with SA_RESETHAND", do_ud2());
        fflush(stdout);
        do_ud2();
        _exit(0);
    }
    int st;
    waitpid(c, &st, 0);
    printf("second ud2: signaled=%d sig=%d\n", WIFSIGNALED(st), WIFSIGNALED(st) ? WTERMSIG(st) : -1);
    return 0;
}

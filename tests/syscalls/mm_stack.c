// Stack growth: deep recursion grows the main stack by megabytes, running past
// RLIMIT_STACK raises SIGSEGV that a handler on a sigaltstack catches (the
// handler sees SS_ONSTACK), and a MAP_GROWSDOWN mapping grows downwards when
// the page below it is touched but not into a neighbouring mapping.
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "common.h"

#define PG 4096L

static sigjmp_buf jb;
static volatile int on_alt, seg_code;
static volatile long depth, max_depth;

static void on_segv(int sig, siginfo_t *si, void *uc) {
    (void)sig;
    (void)uc;
    stack_t cur;
    sigaltstack(NULL, &cur);
    on_alt = (cur.ss_flags & SS_ONSTACK) != 0;
    seg_code = si->si_code;
    siglongjmp(jb, 1);
}

/* Each frame holds 1 KiB; returns a checksum so nothing is optimised away. */
static long recurse(long n) {
    volatile char frame[1024];
    frame[0] = (char)n;
    frame[1023] = (char)(n >> 8);
    depth = n;
    if (n == 0)
        return 0;
    return recurse(n - 1) + frame[0] + frame[1023];
}

static volatile long endless = 1L << 40;
static long forever(long n) {
    volatile char frame[1024];
    frame[0] = (char)n;
    depth = n;
    if (n > endless)
        return 0;
    return forever(n + 1) + frame[0];
}

int main(void) {
    alarm(20);
    struct rlimit rl;
    getrlimit(RLIMIT_STACK, &rl);
    /* Make room for the deep recursion whatever the inherited soft limit is. */
    struct rlimit big = {32L << 20, rl.rlim_max};
    if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < (rlim_t)(32L << 20))
        big.rlim_cur = rl.rlim_max;
    report("setrlimit RLIMIT_STACK 32 MiB", setrlimit(RLIMIT_STACK, &big));

    long want = 0;
    for (long i = 1; i <= 12000; i++)
        want += (char)i + (char)(i >> 8);
    printf("12000 frames of 1 KiB: checksum ok %d\n", recurse(12000) == want);

    /* Overflow with a 2 MiB limit (below the stack already used: any further growth faults). */
    static char alt[64 * 1024];
    stack_t ss = {.ss_sp = alt, .ss_size = sizeof alt};
    report("sigaltstack", sigaltstack(&ss, NULL));
    struct sigaction sa = {.sa_sigaction = on_segv, .sa_flags = SA_SIGINFO | SA_ONSTACK};
    sigaction(SIGSEGV, &sa, NULL);
    struct rlimit small = {4L << 20, big.rlim_max};
    setrlimit(RLIMIT_STACK, &small);
    if (sigsetjmp(jb, 1) == 0) {
        forever(0);
        printf("unreachable\n");
    } else {
        printf("overflow caught: 1, on the alternate stack: %d, code %s, deep: %d\n", on_alt,
               seg_code == SEGV_MAPERR ? "SEGV_MAPERR" : seg_code == SEGV_ACCERR ? "SEGV_ACCERR" : "other",
               depth > 1000);
    }
    stack_t now;
    sigaltstack(NULL, &now);
    printf("after longjmp: not on the alternate stack: %d\n", !(now.ss_flags & SS_ONSTACK));
    setrlimit(RLIMIT_STACK, &big);
    printf("recursion works again: %d\n", recurse(100) != -1);

    /* sigaltstack errors. */
    stack_t tiny = {.ss_sp = alt, .ss_size = 100};
    report("sigaltstack too small", sigaltstack(&tiny, NULL));
    stack_t badf = {.ss_sp = alt, .ss_size = sizeof alt, .ss_flags = 0x55};
    report("sigaltstack bad flags", sigaltstack(&badf, NULL));

    /* MAP_GROWSDOWN: reserve 4 MiB, free the top half, put a 1-page growsdown
       mapping at the very top. Touching below it grows it. */
    char *res = mmap(NULL, 4L << 20, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(res + (2L << 20), 2L << 20);
    char *top = res + (4L << 20) - PG;
    char *g = mmap(top, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_GROWSDOWN | MAP_FIXED, -1, 0);
    printf("growsdown mapping at the requested address: %d\n", g == top);
    unsigned char v[1];
    printf("page below mapped before touching: %d\n", mincore(top - PG, PG, v) == 0);
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);
    if (sigsetjmp(jb, 1) == 0) {
        top[-1] = 'g';
        top[-PG * 8] = 'h';
        printf("touch 1 and 8 pages below: ok, values %c %c\n", top[-1], top[-PG * 8]);
    } else {
        printf("touch below growsdown mapping: SIGSEGV\n");
    }
    printf("page below mapped after touching: %d\n", mincore(top - PG, PG, v) == 0);
    report("munmap the grown part", munmap(top - 8 * PG, 8 * PG));
    if (sigsetjmp(jb, 1) == 0) {
        res[5] = 1;
        printf("PROT_NONE reservation writable?\n");
    } else {
        printf("reservation below still PROT_NONE: %s\n", seg_code == SEGV_ACCERR ? "SEGV_ACCERR" : "other");
    }
    report("mprotect PROT_GROWSDOWN on it", mprotect(top, PG, PROT_READ | PROT_GROWSDOWN));
    return 0;
}

// SIGSEGV from real faults, left with siglongjmp: SEGV_MAPERR with si_addr =
// the address for null/low/unmapped reads, SEGV_ACCERR for writes to read-only
// memory, PROT_NONE and non-exec execution; SI_KERNEL/si_addr 0 for a
// non-canonical address and hlt. The mask is restored each time.
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

static sigjmp_buf jb;
static volatile int hits;
static siginfo_t last;
static volatile uintptr_t last_rip;

static void on_segv(int s, siginfo_t *si, void *ucv) {
    (void)s;
    ucontext_t *uc = ucv;
    last = *si;
    last_rip = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
    hits++;
    siglongjmp(jb, 1);
}

static const char *code(int c) {
    switch (c) {
    case SEGV_MAPERR: return "SEGV_MAPERR";
    case SEGV_ACCERR: return "SEGV_ACCERR";
    case SI_KERNEL: return "SI_KERNEL";
    }
    static char b[16];
    snprintf(b, sizeof b, "%d", c);
    return b;
}

static void report(const char *what, int faulted, const void *want_addr) {
    sigset_t m;
    sigprocmask(SIG_BLOCK, NULL, &m);
    printf("%s: faulted=%d signo=%d code=%s addr_ok=%d errno=%d segv blocked after=%d\n", what,
           faulted, last.si_signo, code(last.si_code), last.si_addr == want_addr, last.si_errno,
           sigismember(&m, SIGSEGV));
    memset(&last, 0, sizeof last);
}

#define FAULT(what, addr, expr)                                                                    \
    do {                                                                                           \
        int f_ = 0;                                                                                \
        if (sigsetjmp(jb, 1) == 0) {                                                               \
            expr;                                                                                  \
        } else {                                                                                   \
            f_ = 1;                                                                                \
        }                                                                                          \
        report(what, f_, addr);                                                                    \
    } while (0)

static const char rodata[64] = "constant";
static volatile int sink;

int main(void) {
    struct sigaction a;
    memset(&a, 0, sizeof a);
    a.sa_sigaction = on_segv;
    a.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &a, NULL);
    long pg = sysconf(_SC_PAGESIZE);

    FAULT("null read", (void *)0, sink = *(volatile int *)0);
    FAULT("null write", (void *)0, *(volatile int *)0 = 1);
    FAULT("read at 0x10", (void *)0x10, sink = *(volatile int *)0x10);
    FAULT("read at 0x1234", (void *)0x1234, sink = *(volatile char *)0x1234);

    char *ro = mmap(NULL, pg * 3, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    FAULT("read of PROT_READ (no fault)", (void *)0, sink = ro[5]);
    FAULT("write to PROT_READ", ro + 8, ((volatile char *)ro)[8] = 1);
    FAULT("write to PROT_READ page 2", ro + pg + 100, ((volatile char *)ro)[pg + 100] = 1);
    mprotect(ro + pg * 2, pg, PROT_NONE);
    FAULT("read of PROT_NONE", ro + pg * 2 + 1, sink = ((volatile char *)ro)[pg * 2 + 1]);
    mprotect(ro, pg, PROT_READ | PROT_WRITE);
    FAULT("write after mprotect RW (no fault)", (void *)0, ((volatile char *)ro)[8] = 1);
    printf("value written: %d\n", ro[8]);
    munmap(ro + pg, pg);
    FAULT("read of unmapped hole", ro + pg + 7, sink = ((volatile char *)ro)[pg + 7]);
    FAULT("write to .rodata", (void *)(rodata + 3), ((volatile char *)rodata)[3] = 'x');
    FAULT("write to code", (void *)main, *(volatile char *)main = 0);

    // Executing a page without PROT_EXEC: the fault address is the page and
    // the saved rip is the page too.
    unsigned char *nx = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    nx[0] = 0xc3; // ret
    last_rip = 0;
    FAULT("execute non-exec page", nx, ((void (*)(void))nx)());
    printf("rip at the page: %d\n", last_rip == (uintptr_t)nx);
    mprotect(nx, pg, PROT_READ | PROT_EXEC);
    FAULT("execute after PROT_EXEC (no fault)", (void *)0, ((void (*)(void))nx)());

    // A non-canonical address raises #GP: SI_KERNEL, si_addr 0.
    FAULT("non-canonical read", (void *)0, sink = *(volatile int *)0x8000000000000000UL);
    // hlt is privileged: #GP as well.
    FAULT("hlt", (void *)0, __asm__ volatile("hlt"));
    printf("handler hits=%d\n", hits);

    // raise(SIGSEGV) is not a fault: si_code SI_TKILL and the handler runs
    // the same way.
    FAULT("raise", (void *)0, raise(SIGSEGV));
    return 0;
}

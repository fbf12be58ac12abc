// sigaltstack: set/query/disable and its errors; SA_ONSTACK handlers run on
// the alternate stack and see SS_ONSTACK (others do not); SS_AUTODISARM;
// stack overflow in the main thread and in a small-stack thread caught on the
// alternate stack; without one the overflow kills.
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"

#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1U << 31)
#endif


static char alt[65536] __attribute__((aligned(16)));
static volatile int on_alt, saw_onstack, set_in_handler_errno, saw_disabled, nested_on_alt;

static int in_alt(void *p, char *base, size_t size) {
    return (char *)p >= base && (char *)p < base + size;
}

static void h(int s) {
    char local;
    on_alt = in_alt(&local, alt, sizeof alt);
    stack_t cur;
    sigaltstack(NULL, &cur);
    saw_onstack = !!(cur.ss_flags & SS_ONSTACK);
    saw_disabled = !!(cur.ss_flags & SS_DISABLE);
    stack_t ns = {.ss_sp = alt, .ss_size = sizeof alt, .ss_flags = 0};
    errno = 0;
    sigaltstack(&ns, NULL);
    set_in_handler_errno = errno;
    if (s == SIGUSR1)
        raise(SIGUSR2);
}

static void h2(int s) {
    (void)s;
    char local;
    nested_on_alt = in_alt(&local, alt, sizeof alt);
}

static sigjmp_buf jb;
static volatile int segv_on_alt, segv_code;
static char *cur_alt;
static size_t cur_alt_size;

static void on_segv(int s, siginfo_t *si, void *uc) {
    (void)s;
    (void)uc;
    char local;
    segv_on_alt = in_alt(&local, cur_alt, cur_alt_size);
    segv_code = si->si_code;
    siglongjmp(jb, 1);
}

static volatile int depth_sink;
static volatile int forever = 1;
static int recurse(int n) {
    volatile char buf[1024];
    buf[0] = (char)n;
    buf[1023] = (char)n;
    if (!forever)
        return n;
    return recurse(n + 1) + buf[0] + buf[1023];
}

static __thread sigjmp_buf tjb;
static volatile int t_on_alt, t_code;
static __thread char *t_alt;
static void on_segv_thread(int s, siginfo_t *si, void *uc) {
    (void)s;
    (void)uc;
    char local;
    t_on_alt = in_alt(&local, t_alt, 16384);
    t_code = si->si_code;
    siglongjmp(tjb, 1);
}

static void *overflow_thread(void *arg) {
    (void)arg;
    static char talt[16384];
    t_alt = talt;
    stack_t ts;
    sigaltstack(NULL, &ts);
    int inherited = !(ts.ss_flags & SS_DISABLE);
    ts.ss_sp = talt;
    ts.ss_size = sizeof talt;
    ts.ss_flags = 0;
    sigaltstack(&ts, NULL);
    if (sigsetjmp(tjb, 1) == 0)
        depth_sink = recurse(0);
    printf("thread: altstack inherited=%d overflow caught on alt=%d code=%d\n", inherited, t_on_alt,
           t_code);
    return NULL;
}

int main(void) {
    stack_t ss, old;
    int r;
    printf("constants: SS_ONSTACK=%d SS_DISABLE=%d\n", SS_ONSTACK, SS_DISABLE);
    r = sigaltstack(NULL, &old);
    printf("initial: r=%d disabled=%d\n", r, !!(old.ss_flags & SS_DISABLE));

    ss.ss_sp = alt;
    ss.ss_size = 1024;
    ss.ss_flags = 0;
    errno = 0;
    r = sigaltstack(&ss, NULL);
    printf("too small: r=%d errno=%s\n", r, en(errno));
    ss.ss_size = sizeof alt;
    ss.ss_flags = 0x1234;
    errno = 0;
    r = sigaltstack(&ss, NULL);
    printf("bad flags: r=%d errno=%s\n", r, en(errno));
    errno = 0;
    r = (int)syscall(SYS_sigaltstack, (stack_t *)8, NULL);
    printf("bad pointer: r=%d errno=%s\n", r, en(errno));
    ss.ss_flags = 0;
    r = sigaltstack(&ss, &old);
    printf("set: r=%d old disabled=%d\n", r, !!(old.ss_flags & SS_DISABLE));
    sigaltstack(NULL, &old);
    printf("query: same sp=%d size=%zu flags=%d\n", old.ss_sp == alt, old.ss_size, old.ss_flags);

    struct sigaction a;
    memset(&a, 0, sizeof a);
    a.sa_handler = h;
    a.sa_flags = SA_ONSTACK;
    sigaction(SIGUSR1, &a, NULL);
    a.sa_handler = h2;
    sigaction(SIGUSR2, &a, NULL);
    a.sa_handler = h;
    a.sa_flags = 0;
    sigaction(SIGHUP, &a, NULL);

    raise(SIGUSR1);
    printf("SA_ONSTACK: on alt=%d SS_ONSTACK=%d set in handler errno=%s nested on alt=%d\n", on_alt,
           saw_onstack, en(set_in_handler_errno), nested_on_alt);
    sigaltstack(NULL, &old);
    printf("after handler: flags=%d\n", old.ss_flags);
    raise(SIGHUP);
    printf("no SA_ONSTACK: on alt=%d SS_ONSTACK=%d set in handler errno=%s\n", on_alt, saw_onstack,
           en(set_in_handler_errno));

    // SS_AUTODISARM: the stack is disarmed while the handler runs on it.
    ss.ss_flags = SS_AUTODISARM;
    r = sigaltstack(&ss, NULL);
    sigaltstack(NULL, &old);
    printf("autodisarm set: r=%d flag reported=%d\n", r, !!(old.ss_flags & SS_AUTODISARM));
    raise(SIGUSR1);
    printf("autodisarm handler: on alt=%d SS_ONSTACK=%d disabled=%d set errno=%s\n", on_alt,
           saw_onstack, saw_disabled, en(set_in_handler_errno));
    sigaltstack(NULL, &old);
    printf("autodisarm after: disabled=%d autodisarm=%d\n", !!(old.ss_flags & SS_DISABLE),
           !!(old.ss_flags & SS_AUTODISARM));

    // Disable.
    ss.ss_flags = SS_DISABLE;
    r = sigaltstack(&ss, NULL);
    sigaltstack(NULL, &old);
    printf("disable: r=%d disabled=%d\n", r, !!(old.ss_flags & SS_DISABLE));
    raise(SIGUSR1);
    printf("disabled, SA_ONSTACK handler: on alt=%d\n", on_alt);

    // Stack overflow of the main thread, caught on the alternate stack.
    fflush(stdout);
    pid_t c = fork();
    if (c == 0) {
        struct rlimit rl = {1 << 20, 1 << 20};
        setrlimit(RLIMIT_STACK, &rl);
        static char segv_alt[65536];
        cur_alt = segv_alt;
        cur_alt_size = sizeof segv_alt;
        stack_t s2 = {.ss_sp = segv_alt, .ss_size = sizeof segv_alt, .ss_flags = 0};
        sigaltstack(&s2, NULL);
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_sigaction = on_segv;
        sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
        sigaction(SIGSEGV, &sa, NULL);
        if (sigsetjmp(jb, 1) == 0)
            depth_sink = recurse(0);
        printf("main overflow caught on alt=%d code=%d\n", segv_on_alt, segv_code);

        // The same in a thread with a small stack and its own altstack.
        sa.sa_sigaction = on_segv_thread;
        sigaction(SIGSEGV, &sa, NULL);
        pthread_attr_t at;
        pthread_attr_init(&at);
        pthread_attr_setstacksize(&at, 128 * 1024);
        pthread_t th;
        pthread_create(&th, &at, overflow_thread, NULL);
        pthread_join(th, NULL);
        fflush(stdout);
        _exit(0);
    }
    int st;
    waitpid(c, &st, 0);
    printf("overflow child: exited=%d code=%d\n", WIFEXITED(st), WEXITSTATUS(st));

    // Without an alternate stack the handler cannot run: SIGSEGV kills.
    fflush(stdout);
    c = fork();
    if (c == 0) {
        struct rlimit rl = {1 << 20, 1 << 20};
        setrlimit(RLIMIT_STACK, &rl);
        rl.rlim_cur = rl.rlim_max = 0;
        setrlimit(RLIMIT_CORE, &rl);
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_sigaction = on_segv;
        sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
        sigaction(SIGSEGV, &sa, NULL);
        if (sigsetjmp(jb, 1) == 0)
            depth_sink = recurse(0);
        _exit(3);
    }
    waitpid(c, &st, 0);
    printf("no altstack: signaled=%d sig=%d\n", WIFSIGNALED(st), WIFSIGNALED(st) ? WTERMSIG(st) : -1);
    return 0;
}

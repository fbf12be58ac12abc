// A program's own seccomp filters: RET_ERRNO on a call the host runs and
// on one a supervisor would emulate, RET_TRAP with the SIGSYS siginfo,
// RET_KILL_PROCESS, an allowlist whose default kills, filters stacked by
// TSYNC'd threads, and what is refused (bad programs, unknown flags).
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"

// linux/filter.h and linux/seccomp.h, which musl's headers lack.
struct sock_filter {
    unsigned short code;
    unsigned char jt, jf;
    unsigned int k;
};
struct sock_fprog {
    unsigned short len;
    struct sock_filter *filter;
};
#define BPF_STMT(c, v) {(unsigned short)(c), 0, 0, (v)}
#define BPF_JUMP(c, v, t, f) {(unsigned short)(c), (t), (f), (v)}
#define BPF_LD 0x00
#define BPF_W 0x00
#define BPF_ABS 0x20
#define BPF_JMP 0x05
#define BPF_JEQ 0x10
#define BPF_K 0x00
#define BPF_RET 0x06
#define SECCOMP_SET_MODE_FILTER 1
#define SECCOMP_GET_ACTION_AVAIL 2
#define SECCOMP_MODE_FILTER 2
#define SECCOMP_RET_KILL_PROCESS 0x80000000U
#define SECCOMP_RET_TRAP 0x00030000U
#define SECCOMP_RET_ERRNO 0x00050000U
#define SECCOMP_RET_ALLOW 0x7fff0000U
#define SECCOMP_DATA_NR 0

#define LD_NR BPF_STMT(BPF_LD | BPF_W | BPF_ABS, SECCOMP_DATA_NR)
#define IS(n, ret) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (n), 0, 1), BPF_STMT(BPF_RET | BPF_K, (ret))
#define RET(v) BPF_STMT(BPF_RET | BPF_K, (v))

static long install(struct sock_filter *f, unsigned short n, unsigned long flags) {
    struct sock_fprog p = {n, f};
    return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &p);
}

static void result(const char *what, long r) {
    printf("%s: %ld %s\n", what, r, r < 0 ? en(errno) : "");
    fflush(stdout);
}

static volatile int sys_nr = -1, sys_code = -1;
static void on_sigsys(int s, siginfo_t *si, void *uc) {
    (void)s;
    (void)uc;
    sys_nr = si->si_syscall;
    sys_code = si->si_code;
}

static void child_status(const char *what, pid_t p) {
    int st;
    waitpid(p, &st, 0);
    if (WIFSIGNALED(st))
        printf("%s: killed by %s\n", what, strsignal(WTERMSIG(st)));
    else
        printf("%s: exit %d\n", what, WEXITSTATUS(st));
    fflush(stdout);
}

int main(void) {
    result("no_new_privs", prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));

    pid_t p = fork();
    if (p == 0) {
        // getppid runs on the host; uname is one ruml answers itself.
        struct sock_filter f[] = {LD_NR, IS(SYS_getppid, SECCOMP_RET_ERRNO | EPERM),
                                  IS(SYS_uname, SECCOMP_RET_ERRNO | 42), RET(SECCOMP_RET_ALLOW)};
        result("install errno filter", install(f, sizeof f / sizeof f[0], 0));
        result("getppid", getppid());
        struct utsname u;
        result("uname", uname(&u));
        result("getpid > 0", getpid() > 0);
        _exit(0);
    }
    child_status("errno filter child", p);

    p = fork();
    if (p == 0) {
        struct sigaction a;
        memset(&a, 0, sizeof a);
        a.sa_sigaction = on_sigsys;
        a.sa_flags = SA_SIGINFO;
        sigaction(SIGSYS, &a, NULL);
        struct sock_filter f[] = {LD_NR, IS(SYS_getpriority, SECCOMP_RET_TRAP | 7),
                                  RET(SECCOMP_RET_ALLOW)};
        install(f, sizeof f / sizeof f[0], 0);
        syscall(SYS_getpriority, 0, 0);
        printf("sigsys: nr is getpriority %d, code %d\n", sys_nr == SYS_getpriority, sys_code);
        _exit(0);
    }
    child_status("trap filter child", p);

    p = fork();
    if (p == 0) {
        struct sock_filter f[] = {LD_NR, IS(SYS_getppid, SECCOMP_RET_KILL_PROCESS),
                                  RET(SECCOMP_RET_ALLOW)};
        install(f, sizeof f / sizeof f[0], 0);
        getppid();
        _exit(0);
    }
    child_status("kill filter child", p);

    // An allowlist: write and exit only, everything else kills. Files
    // opened before it stay usable.
    p = fork();
    if (p == 0) {
        struct sock_filter f[] = {LD_NR,
                                  IS(SYS_write, SECCOMP_RET_ALLOW),
                                  IS(SYS_exit_group, SECCOMP_RET_ALLOW),
                                  IS(SYS_exit, SECCOMP_RET_ALLOW),
                                  RET(SECCOMP_RET_KILL_PROCESS)};
        fflush(stdout);
        if (install(f, sizeof f / sizeof f[0], 0) != 0)
            _exit(3);
        static const char msg[] = "allowlist: write works\n";
        write(1, msg, sizeof msg - 1);
        syscall(SYS_getpid);
        _exit(0);
    }
    child_status("allowlist child", p);

    // The same allowlist with a call it lets through that needs files.
    p = fork();
    if (p == 0) {
        struct sock_filter f[] = {LD_NR,
                                  IS(SYS_write, SECCOMP_RET_ALLOW),
                                  IS(SYS_openat, SECCOMP_RET_ALLOW),
                                  IS(SYS_read, SECCOMP_RET_ALLOW),
                                  IS(SYS_close, SECCOMP_RET_ALLOW),
                                  IS(SYS_exit_group, SECCOMP_RET_ALLOW),
                                  RET(SECCOMP_RET_ERRNO | EACCES)};
        fflush(stdout);
        install(f, sizeof f / sizeof f[0], 0);
        int fd = openat(AT_FDCWD, "/proc/self/status", O_RDONLY);
        char b[5] = {0};
        long n = fd >= 0 ? read(fd, b, 4) : -1;
        printf("allowlist open /proc/self/status: %s read %ld \"%s\"\n", fd >= 0 ? "ok" : en(errno),
               n, b);
        fflush(stdout);
        result("allowlist getuid refused", syscall(SYS_getuid));
        _exit(0);
    }
    child_status("allowlist open child", p);

    struct sock_filter bad[] = {RET(0x12345678), BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 4096)};
    result("bad program", install(bad + 1, 1, 0));
    struct sock_filter ok[] = {RET(SECCOMP_RET_ALLOW)};
    result("unknown flag", install(ok, 1, 1UL << 20));
    result("empty program", install(ok, 0, 0));
    result("bad pointer", syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, (void *)8));
    result("prctl filter", prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &(struct sock_fprog){1, ok}));
    unsigned act = SECCOMP_RET_KILL_PROCESS;
    result("action avail", syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &act));
    return 0;
}

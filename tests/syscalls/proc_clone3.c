// clone3: fork-like use with exit_signal, CLONE_PIDFD (poll, waitid P_PIDFD,
// pidfd_send_signal), CLONE_PARENT_SETTID, CLONE_CLEAR_SIGHAND, set_tid, and
// argument validation: size below VER0, above a page, nonzero tail bytes,
// unknown flags, bad exit_signal, NULL pointer, set_tid misuse.
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"


#ifndef SYS_clone3
#define SYS_clone3 435
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif
#ifndef P_PIDFD
#define P_PIDFD 3
#endif
#define CLONE_PIDFD_ 0x1000ULL
#define CLONE_CLEAR_SIGHAND_ 0x100000000ULL

struct cl_args {
    uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid,
        set_tid_size, cgroup;
};

static long clone3(struct cl_args *a, size_t size) { return syscall(SYS_clone3, a, size); }

static void h(int s) { (void)s; }

static void try(const char *what, struct cl_args *a, size_t size) {
    errno = 0;
    fflush(stdout);
    long r = clone3(a, size);
    if (r == 0) _exit(0);
    int e = errno;
    if (r > 0) waitpid(r, NULL, 0);
    printf("%s: %s\n", what, r > 0 ? "created" : en(e));
}

int main(void) {
    struct cl_args a;
    memset(&a, 0, sizeof a);
    a.exit_signal = SIGCHLD;
    fflush(stdout);
    long pid = clone3(&a, 64);
    if (pid == 0) _exit(5);
    int st;
    int w = waitpid(pid, &st, 0) == pid;
    printf("fork-like clone3: waited %d, status %d\n", w, WEXITSTATUS(st));

    // pidfd and parent tid
    int pidfd = -1;
    pid_t ptid = 0;
    int p[2];
    pipe(p);
    memset(&a, 0, sizeof a);
    a.flags = CLONE_PIDFD_ | CLONE_PARENT_SETTID;
    a.pidfd = (uintptr_t)&pidfd;
    a.parent_tid = (uintptr_t)&ptid;
    a.exit_signal = SIGCHLD;
    fflush(stdout);
    pid = clone3(&a, sizeof a);
    if (pid == 0) {
        char c;
        read(p[0], &c, 1);
        _exit(8);
    }
    printf("CLONE_PIDFD gave a descriptor: %d, CLONE_PARENT_SETTID wrote the pid: %d\n", pidfd >= 0,
           ptid == pid);
    struct pollfd pf = {pidfd, POLLIN, 0};
    printf("pidfd not readable while running: %d\n", poll(&pf, 1, 0));
    write(p[1], "x", 1);
    pf.revents = 0;
    int pr = poll(&pf, 1, 5000);
    printf("pidfd readable after exit: %d revents POLLIN %d\n", pr, !!(pf.revents & POLLIN));
    siginfo_t si;
    memset(&si, 0, sizeof si);
    int r = waitid(P_PIDFD, pidfd, &si, WEXITED);
    printf("waitid P_PIDFD: %d pid matches %d code CLD_EXITED %d status %d\n", r, si.si_pid == pid,
           si.si_code == CLD_EXITED, si.si_status);
    errno = 0;
    r = syscall(SYS_pidfd_send_signal, pidfd, SIGTERM, NULL, 0);
    printf("pidfd_send_signal to a reaped process: %d %s\n", r, en(errno));
    close(pidfd);

    memset(&a, 0, sizeof a);
    a.flags = CLONE_PIDFD_;
    a.pidfd = (uintptr_t)&pidfd;
    a.exit_signal = SIGCHLD;
    fflush(stdout);
    pid = clone3(&a, sizeof a);
    if (pid == 0) {
        for (;;) pause();
    }
    r = syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
    waitpid(pid, &st, 0);
    printf("pidfd_send_signal SIGKILL: %d, child killed by %d\n", r, WIFSIGNALED(st) ? WTERMSIG(st) : 0);
    close(pidfd);

    // CLONE_CLEAR_SIGHAND resets handlers, keeps SIG_IGN
    struct sigaction sa = {0};
    sa.sa_handler = h;
    sigaction(SIGUSR1, &sa, NULL);
    signal(SIGUSR2, SIG_IGN);
    memset(&a, 0, sizeof a);
    a.flags = CLONE_CLEAR_SIGHAND_;
    a.exit_signal = SIGCHLD;
    fflush(stdout);
    pid = clone3(&a, sizeof a);
    if (pid == 0) {
        struct sigaction q1, q2;
        sigaction(SIGUSR1, NULL, &q1);
        sigaction(SIGUSR2, NULL, &q2);
        _exit((q1.sa_handler == SIG_DFL) | (q2.sa_handler == SIG_IGN) << 1);
    }
    waitpid(pid, &st, 0);
    printf("CLONE_CLEAR_SIGHAND: handler reset %d, ignore kept %d\n", WEXITSTATUS(st) & 1,
           WEXITSTATUS(st) >> 1);
    signal(SIGUSR1, SIG_DFL);
    signal(SIGUSR2, SIG_DFL);

    // set_tid: pick the pid (we are root in this pid namespace)
    pid_t want = 4321;
    memset(&a, 0, sizeof a);
    a.exit_signal = SIGCHLD;
    a.set_tid = (uintptr_t)&want;
    a.set_tid_size = 1;
    fflush(stdout);
    pid = clone3(&a, sizeof a);
    if (pid == 0) _exit(getpid() == 4321 ? 0 : 1);
    int e = errno;
    if (pid > 0) {
        waitpid(pid, &st, 0);
        printf("set_tid 4321: got it %d, child agrees %d\n", pid == 4321, WEXITSTATUS(st) == 0);
    } else {
        printf("set_tid 4321: %s\n", en(e));
    }
    want = getpid();
    try("set_tid naming a live pid", &a, sizeof a);
    a.set_tid = 0;
    try("set_tid_size 1 with NULL set_tid", &a, sizeof a);
    a.set_tid = (uintptr_t)&want;
    a.set_tid_size = 40;
    try("set_tid_size beyond the nesting depth", &a, sizeof a);

    // validation
    memset(&a, 0, sizeof a);
    a.exit_signal = SIGCHLD;
    try("size 63", &a, 63);
    try("size 0", &a, 0);
    try("size 64 (VER0)", &a, 64);
    try("size 80 (VER1)", &a, 80);
    try("size 88 (VER2)", &a, 88);
    static char big[8192];
    memcpy(big, &a, sizeof a);
    try("size 4096 with zero tail", (struct cl_args *)big, 4096);
    try("size 4097", (struct cl_args *)big, 4097);
    big[200] = 1;
    try("size 256 with a nonzero tail byte", (struct cl_args *)big, 256);
    a.flags = 1ULL << 40;
    try("unknown flag bit 40", &a, sizeof a);
    a.flags = 0;
    a.exit_signal = 65;
    try("exit_signal 65", &a, sizeof a);
    a.exit_signal = SIGCHLD;
    a.flags = CLONE_SIGHAND;
    try("CLONE_SIGHAND without CLONE_VM", &a, sizeof a);
    a.flags = CLONE_THREAD | CLONE_SIGHAND | CLONE_VM;
    try("CLONE_THREAD with an exit_signal", &a, sizeof a);
    a.flags = CLONE_VM;
    a.stack = 0;
    a.stack_size = 4096;
    try("stack_size without stack", &a, sizeof a);
    a.flags = 0;
    a.stack_size = 0;
    a.flags = CLONE_PIDFD_ | CLONE_DETACHED;
    a.pidfd = (uintptr_t)&pidfd;
    try("CLONE_PIDFD with CLONE_DETACHED", &a, sizeof a);
    errno = 0;
    long rr = clone3(NULL, 64);
    printf("NULL args: %ld %s\n", rr, en(errno));
    errno = 0;
    rr = clone3((struct cl_args *)8, 64);
    printf("bad args pointer: %ld %s\n", rr, en(errno));
    rr = waitpid(-1, NULL, WNOHANG);
    printf("no children left: %d\n", rr == -1 && errno == ECHILD);
    return 0;
}

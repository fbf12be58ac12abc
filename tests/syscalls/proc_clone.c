// clone(2) flag semantics through the libc clone() wrapper: CLONE_VM shares
// memory, CLONE_FILES the descriptor table, CLONE_FS cwd and umask (and not
// without the flags), CLONE_SIGHAND handlers; PARENT_SETTID/CHILD_SETTID/
// CHILD_CLEARTID with a futex wake, CLONE_THREAD children are not waitable,
// a non-SIGCHLD exit signal needs __WALL, CLONE_PARENT makes a sibling,
// CLONE_VFORK suspends the parent, and invalid flag combinations fail.
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common.h"


#define FUTEX_WAIT_ 0
#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x1000
#endif

#define STACK (256 * 1024)
static char stacks[8][STACK] __attribute__((aligned(16)));
static int next_stack;
static char *stack_top(void) { return stacks[next_stack++ % 8] + STACK; }

static volatile int shared_var;
static volatile int child_fd = -1;
static volatile pid_t ptid, ctid, child_tid_seen, child_pid_seen, child_ppid_seen;

static int fn_vm(void *a) {
    (void)a;
    shared_var = 99;
    return 4;
}
static int fn_open(void *a) {
    (void)a;
    child_fd = syscall(SYS_open, "opened-by-child", O_CREAT | O_WRONLY, 0644);
    return 0;
}
static int fn_chdir(void *a) {
    (void)a;
    syscall(SYS_chdir, "sub");
    syscall(SYS_umask, 0077);
    return 0;
}
static void h(int s) { (void)s; }
static int fn_sigaction(void *a) {
    (void)a;
    struct sigaction sa = {0};
    sa.sa_handler = h;
    sigaction(SIGUSR2, &sa, NULL);
    return 0;
}
static int fn_tids(void *a) {
    (void)a;
    child_tid_seen = syscall(SYS_gettid);
    child_pid_seen = syscall(SYS_getpid);
    return 0;
}
static int fn_ppid(void *a) {
    int fd = (int)(long)a;
    pid_t pp = syscall(SYS_getppid);
    syscall(SYS_write, fd, &pp, sizeof pp);
    return 0;
}
static int fn_wait_pipe(void *a) {
    int fd = (int)(long)a;
    char c;
    syscall(SYS_read, fd, &c, 1);
    return 6;
}
static int fn_slow(void *a) {
    (void)a;
    struct timespec ts = {0, 50 * 1000 * 1000};
    syscall(SYS_nanosleep, &ts, NULL);
    shared_var = 1234;
    return 0;
}

static void wait_cleartid(volatile pid_t *p) {
    for (int i = 0; i < 1000 && *p != 0; i++) {
        pid_t v = *p;
        struct timespec ts = {0, 10 * 1000 * 1000};
        if (v) syscall(SYS_futex, p, FUTEX_WAIT_, v, &ts, NULL, 0);
    }
}

static void cwd_tail(char *out) {
    char cwd[4096];
    getcwd(cwd, sizeof cwd);
    char *s = strrchr(cwd, '/');
    strcpy(out, !strcmp(s, "/sub") ? "sub" : "scratch");
}

int main(void) {
    int st;
    pid_t pid = clone(fn_vm, stack_top(), CLONE_VM | SIGCHLD, NULL);
    int w = waitpid(pid, &st, 0) == pid;
    printf("CLONE_VM child: waited %d status %d, write visible %d\n", w, WEXITSTATUS(st), shared_var);
    shared_var = 0;
    fflush(stdout);
    pid = clone(fn_vm, stack_top(), SIGCHLD, NULL);
    waitpid(pid, &st, 0);
    printf("no CLONE_VM: status %d, write not visible %d\n", WEXITSTATUS(st), shared_var == 0);

    pid = clone(fn_open, stack_top(), CLONE_VM | CLONE_FILES | SIGCHLD, NULL);
    waitpid(pid, &st, 0);
    printf("CLONE_FILES: child's fd valid in parent: %d\n", child_fd >= 0 && fcntl(child_fd, F_GETFD) >= 0);
    close(child_fd);
    child_fd = -1;
    pid = clone(fn_open, stack_top(), CLONE_VM | SIGCHLD, NULL);
    waitpid(pid, &st, 0);
    errno = 0;
    int r0 = child_fd >= 0 ? fcntl(child_fd, F_GETFD) : -2;
    printf("no CLONE_FILES: child's fd in parent: %d %s\n", r0, en(errno));

    mkdir("sub", 0755);
    char where[16];
    fflush(stdout);
    pid = clone(fn_chdir, stack_top(), CLONE_VM | SIGCHLD, NULL);
    waitpid(pid, &st, 0);
    cwd_tail(where);
    mode_t um = umask(022);
    printf("no CLONE_FS: parent cwd %s umask %03o\n", where, um);
    pid = clone(fn_chdir, stack_top(), CLONE_VM | CLONE_FS | SIGCHLD, NULL);
    waitpid(pid, &st, 0);
    cwd_tail(where);
    um = umask(022);
    printf("CLONE_FS: parent cwd %s umask %03o\n", where, um);
    int fd = open("in-sub", O_CREAT | O_WRONLY, 0644);
    close(fd);
    printf("relative open after shared chdir lands in sub: %d\n", access("in-sub", F_OK) == 0);
    chdir("..");
    printf("and not in the scratch dir: %d\n", access("in-sub", F_OK) != 0);

    pid = clone(fn_sigaction, stack_top(), CLONE_VM | CLONE_SIGHAND | SIGCHLD, NULL);
    waitpid(pid, &st, 0);
    struct sigaction q;
    sigaction(SIGUSR2, NULL, &q);
    printf("CLONE_SIGHAND: child's handler visible: %d\n", q.sa_handler == h);
    signal(SIGUSR2, SIG_DFL);

    // tid bookkeeping
    ptid = 0;
    ctid = -1;
    pid = clone(fn_tids, stack_top(),
                CLONE_VM | CLONE_PARENT_SETTID | CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID | SIGCHLD,
                NULL, &ptid, NULL, &ctid);
    waitpid(pid, &st, 0);
    printf("PARENT_SETTID wrote the tid: %d\n", ptid == pid);
    printf("child saw gettid == getpid == returned pid: %d\n", child_tid_seen == pid && child_pid_seen == pid);
    printf("CHILD_CLEARTID cleared it at exit: %d\n", ctid == 0);

    // a thread: shares pid, cannot be waited for, clear-tid futex wakes us
    ctid = -1;
    child_tid_seen = child_pid_seen = 0;
    pid_t tid = clone(fn_tids, stack_top(),
                      CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM |
                          CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID,
                      NULL, &ptid, NULL, &ctid);
    printf("CLONE_THREAD returned a tid: %d\n", tid > 0 && tid != getpid());
    // the kernel clears ctid (still -1 until then) when the thread exits
    wait_cleartid(&ctid);
    printf("thread: getpid was ours %d, gettid was the returned tid %d, cleartid woke us %d\n",
           child_pid_seen == getpid(), child_tid_seen == tid, ctid == 0);
    errno = 0;
    r0 = waitpid(tid, &st, __WALL | WNOHANG);
    printf("waitpid on a thread: %d %s\n", r0, en(errno));

    // exit signal other than SIGCHLD
    int p[2];
    pipe(p);
    pid = clone(fn_wait_pipe, stack_top(), CLONE_VM | SIGUSR1, (void *)(long)p[0]);
    signal(SIGUSR1, SIG_IGN);
    errno = 0;
    r0 = waitpid(pid, &st, WNOHANG);
    printf("exit signal SIGUSR1: plain waitpid WNOHANG: %d %s\n", r0, en(errno));
    write(p[1], "x", 1);
    w = waitpid(pid, &st, __WCLONE) == pid;
    printf("  waitpid __WCLONE gets it: %d status %d\n", w, WEXITSTATUS(st));
    pid = clone(fn_wait_pipe, stack_top(), CLONE_VM | SIGCHLD, (void *)(long)p[0]);
    errno = 0;
    r0 = waitpid(pid, &st, __WCLONE | WNOHANG);
    printf("exit signal SIGCHLD: waitpid __WCLONE WNOHANG: %d %s\n", r0, en(errno));
    write(p[1], "x", 1);
    w = waitpid(pid, &st, __WALL) == pid;
    printf("  waitpid __WALL gets it: %d status %d\n", w, WEXITSTATUS(st));
    pid = clone(fn_wait_pipe, stack_top(), CLONE_VM, (void *)(long)p[0]);
    write(p[1], "x", 1);
    w = waitpid(pid, &st, __WALL) == pid;
    printf("exit signal 0: waitpid __WALL gets it: %d status %d\n", w, WEXITSTATUS(st));

    // CLONE_PARENT: the child is our sibling
    int q2[2];
    pipe(q2);
    pid = clone(fn_ppid, stack_top(), CLONE_VM | CLONE_PARENT | SIGCHLD, (void *)(long)q2[1]);
    pid_t their_ppid = 0;
    read(q2[0], &their_ppid, sizeof their_ppid);
    printf("CLONE_PARENT: child's parent is our parent: %d\n", their_ppid == getppid());
    errno = 0;
    r0 = waitpid(pid, &st, 0);
    printf("  we cannot wait for it: %d %s\n", r0, en(errno));

    // CLONE_VFORK: we resume only after the child exits
    shared_var = 0;
    pid = clone(fn_slow, stack_top(), CLONE_VM | CLONE_VFORK | SIGCHLD, NULL);
    printf("CLONE_VFORK: child finished before we resumed: %d\n", shared_var == 1234);
    waitpid(pid, &st, 0);

    // invalid combinations
    errno = 0;
    long r = clone(fn_vm, stack_top(), CLONE_SIGHAND | SIGCHLD, NULL);
    printf("CLONE_SIGHAND without CLONE_VM: %ld %s\n", r, en(errno));
    errno = 0;
    r = clone(fn_vm, stack_top(), CLONE_VM | CLONE_THREAD, NULL);
    printf("CLONE_THREAD without CLONE_SIGHAND: %ld %s\n", r, en(errno));
    errno = 0;
    r = clone(fn_vm, stack_top(), CLONE_FS | CLONE_NEWNS | SIGCHLD, NULL);
    printf("CLONE_FS with CLONE_NEWNS: %ld %s\n", r, en(errno));
    errno = 0;
    r = clone(fn_vm, stack_top(), CLONE_PIDFD | CLONE_DETACHED | SIGCHLD, NULL, &ptid);
    printf("CLONE_PIDFD with CLONE_DETACHED: %ld %s\n", r, en(errno));
    r0 = waitpid(-1, NULL, __WALL | WNOHANG);
    printf("no children left: %d\n", r0 == -1 && errno == ECHILD);
    return 0;
}

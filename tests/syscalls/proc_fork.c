// fork: return values, parent/child pid relations, copy-on-write memory vs
// MAP_SHARED memory, shared file offsets, MADV_DONTFORK/WIPEONFORK, what the
// child inherits (mask, handlers, rlimits) and does not (pending signals,
// alarms), exit statuses and deaths by signal, pthread_atfork hooks, and
// many children reaped.
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"


static int global = 1;
static int prep, in_parent, in_child;
static void h_prep(void) { prep++; }
static void h_parent(void) { in_parent++; }
static void h_child(void) { in_child++; }
static void handler(int s) { (void)s; }

static int status_of(pid_t pid) {
    int st = 0;
    if (waitpid(pid, &st, 0) != pid) return -1;
    return st;
}

static void show(const char *what, int st) {
    if (WIFEXITED(st))
        printf("%s: exited %d\n", what, WEXITSTATUS(st));
    else if (WIFSIGNALED(st))
        printf("%s: killed by signal %d\n", what, WTERMSIG(st));
    else
        printf("%s: other 0x%x\n", what, st);
}

int main(void) {
    pthread_atfork(h_prep, h_parent, h_child);
    int p[2];
    pipe(p);
    pid_t me = getpid();
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        pid_t info[3] = {getpid(), getppid(), in_child};
        write(p[1], info, sizeof info);
        _exit(0);
    }
    pid_t info[3];
    read(p[0], info, sizeof info);
    printf("fork returned positive pid: %d\n", pid > 0);
    printf("child getpid equals fork's return: %d\n", info[0] == pid);
    printf("child getppid is the parent: %d\n", info[1] == me);
    printf("child pid differs from parent: %d\n", pid != me);
    printf("atfork: prepare=%d parent=%d, child hook ran in child: %d\n", prep, in_parent, info[2]);
    printf("wait returns the child: %d\n", waitpid(pid, NULL, 0) == pid);

    // copy-on-write vs shared memory
    int *shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    int *priv = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *dontfork = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *wipe = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    *shared = 1;
    *priv = 1;
    dontfork[0] = 'd';
    wipe[0] = 'w';
    printf("MADV_DONTFORK: %d\n", madvise(dontfork, 4096, MADV_DONTFORK));
    printf("MADV_WIPEONFORK: %d\n", madvise(wipe, 4096, MADV_WIPEONFORK));
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        global = 2;
        *shared = 2;
        *priv = 2;
        unsigned char vec;
        int r = mincore(dontfork, 4096, &vec);
        int res[3] = {r == -1 && errno == ENOMEM, wipe[0] == 0, global};
        write(p[1], res, sizeof res);
        _exit(0);
    }
    int res[3];
    read(p[0], res, sizeof res);
    waitpid(pid, NULL, 0);
    printf("child sees DONTFORK range unmapped: %d\n", res[0]);
    printf("child sees WIPEONFORK range zeroed: %d, parent keeps it: %d\n", res[1], wipe[0] == 'w');
    printf("child wrote global=%d, parent still has %d\n", res[2], global);
    printf("MAP_SHARED seen by parent: %d, MAP_PRIVATE: %d\n", *shared, *priv);

    // the file offset is shared
    int fd = open("f", O_CREAT | O_RDWR | O_TRUNC, 0644);
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        write(fd, "child-", 6);
        _exit(0);
    }
    waitpid(pid, NULL, 0);
    write(fd, "parent", 6);
    char buf[32] = {0};
    pread(fd, buf, sizeof buf - 1, 0);
    printf("file after child then parent write: %s (offset %lld)\n", buf,
           (long long)lseek(fd, 0, SEEK_CUR));
    close(fd);

    // inheritance of signal state, alarm, rlimits
    struct sigaction sa = {0};
    sa.sa_handler = handler;
    sigaction(SIGUSR2, &sa, NULL);
    sigset_t m;
    sigemptyset(&m);
    sigaddset(&m, SIGUSR1);
    sigprocmask(SIG_BLOCK, &m, NULL);
    raise(SIGUSR1);
    alarm(100);
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = 77;
    setrlimit(RLIMIT_NOFILE, &rl);
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        sigset_t pend, cur;
        sigpending(&pend);
        sigprocmask(SIG_BLOCK, NULL, &cur);
        struct sigaction q;
        sigaction(SIGUSR2, NULL, &q);
        struct rlimit r2;
        getrlimit(RLIMIT_NOFILE, &r2);
        int v[5] = {sigismember(&pend, SIGUSR1), sigismember(&cur, SIGUSR1),
                    q.sa_handler == handler, (int)alarm(0), (int)r2.rlim_cur};
        write(p[1], v, sizeof v);
        _exit(0);
    }
    int v[5];
    read(p[0], v, sizeof v);
    waitpid(pid, NULL, 0);
    printf("child: pending SIGUSR1 %d, blocked SIGUSR1 %d, handler kept %d, alarm left %d, nofile %d\n",
           v[0], v[1], v[2], v[3], v[4]);
    sigset_t pend;
    sigpending(&pend);
    printf("parent still has SIGUSR1 pending: %d\n", sigismember(&pend, SIGUSR1));
    alarm(0);
    signal(SIGUSR1, SIG_IGN);
    sigprocmask(SIG_UNBLOCK, &m, NULL);

    // exit statuses
    int codes[] = {0, 1, 2, 127, 255, 256, 257, -1};
    for (unsigned i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        fflush(stdout);
        pid = fork();
        if (pid == 0) _exit(codes[i]);
        char what[32];
        snprintf(what, sizeof what, "_exit(%d)", codes[i]);
        show(what, status_of(pid));
    }
    fflush(stdout);
    pid = fork();
    if (pid == 0) exit(9);
    show("exit(9)", status_of(pid));
    int sigs[] = {SIGKILL, SIGTERM, SIGUSR1, SIGINT, SIGHUP, SIGALRM};
    for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        fflush(stdout);
        pid = fork();
        if (pid == 0) {
            signal(sigs[i], SIG_DFL);
            sigset_t none;
            sigemptyset(&none);
            sigprocmask(SIG_SETMASK, &none, NULL);
            write(p[1], "r", 1);
            for (;;) pause();
        }
        char c;
        read(p[0], &c, 1);
        kill(pid, sigs[i]);
        char what[32];
        snprintf(what, sizeof what, "kill %d", sigs[i]);
        show(what, status_of(pid));
    }
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        signal(SIGTERM, SIG_DFL);
        raise(SIGTERM);
        _exit(0);
    }
    show("raise(SIGTERM)", status_of(pid));

    // many children: sequential and concurrent
    int ok = 0;
    for (int i = 0; i < 100; i++) {
        pid = fork();
        if (pid == 0) _exit(i & 0x7f);
        int st = status_of(pid);
        ok += WIFEXITED(st) && WEXITSTATUS(st) == (i & 0x7f);
    }
    printf("100 sequential children with right statuses: %d\n", ok);
    int sum = 0, n = 0;
    for (int i = 1; i <= 30; i++) {
        pid = fork();
        if (pid == 0) _exit(i);
    }
    int st;
    while ((pid = wait(&st)) > 0) {
        n++;
        sum += WEXITSTATUS(st);
    }
    printf("30 concurrent children reaped: %d, status sum %d, then wait: %s\n", n, sum, en(errno));

    // a grandchild's parent is the child
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        pid_t g = fork();
        if (g == 0) {
            pid_t pp = getppid();
            write(p[1], &pp, sizeof pp);
            _exit(0);
        }
        pid_t pp;
        read(p[0], &pp, sizeof pp);
        waitpid(g, NULL, 0);
        _exit(pp == getpid() ? 0 : 1);
    }
    show("grandchild's parent is the child", status_of(pid));
    errno = 0;
    int r = waitpid(1, NULL, WNOHANG);
    printf("waitpid on a non-child: %d %s\n", r, en(errno));
    return 0;
}

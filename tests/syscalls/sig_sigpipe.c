// SIGPIPE on writing to a pipe or stream socket without a reader: default
// kills with 13; ignored gives EPIPE; handled runs the handler (SI_USER) then
// EPIPE; blocked leaves it pending; MSG_NOSIGNAL suppresses it.
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"


static volatile sig_atomic_t hits, code = -99, pid_is_self;
static void h(int s, siginfo_t *si, void *uc) {
    (void)s;
    (void)uc;
    hits++;
    code = si->si_code;
    pid_is_self = si->si_pid == getpid();
}

static int closed_pipe(void) {
    int p[2];
    if (pipe(p) != 0)
        return -1;
    close(p[0]);
    return p[1];
}

static int pending(int s) {
    sigset_t p;
    sigpending(&p);
    return sigismember(&p, s);
}

int main(void) {
    int st;
    // Default: the writer dies of SIGPIPE.
    fflush(stdout);
    pid_t c = fork();
    if (c == 0) {
        int w = closed_pipe();
        ssize_t n = write(w, "x", 1);
        _exit(n < 0 ? 2 : 3);
    }
    waitpid(c, &st, 0);
    printf("default: signaled=%d sig=%d core=%d\n", WIFSIGNALED(st),
           WIFSIGNALED(st) ? WTERMSIG(st) : -1, WCOREDUMP(st) ? 1 : 0);

    // Ignored: EPIPE.
    signal(SIGPIPE, SIG_IGN);
    int w = closed_pipe();
    errno = 0;
    ssize_t n = write(w, "x", 1);
    printf("ignored: n=%zd errno=%s\n", n, en(errno));
    close(w);

    // Handled: the handler runs once per write, then EPIPE.
    struct sigaction a;
    memset(&a, 0, sizeof a);
    a.sa_sigaction = h;
    a.sa_flags = SA_SIGINFO;
    sigaction(SIGPIPE, &a, NULL);
    w = closed_pipe();
    errno = 0;
    n = write(w, "x", 1);
    printf("handled: n=%zd errno=%s hits=%d code=%d pid_is_self=%d\n", n, en(errno), hits, code,
           pid_is_self);
    n = write(w, "yy", 2);
    printf("handled again: n=%zd hits=%d\n", n, hits);
    // An empty write to a broken pipe: nothing to write, no signal.
    errno = 0;
    n = write(w, "", 0);
    printf("empty write: n=%zd errno=%s hits=%d\n", n, en(errno), hits);
    close(w);

    // Blocked: EPIPE and SIGPIPE pending (thread-directed), delivered on
    // unblock.
    sigset_t m;
    sigemptyset(&m);
    sigaddset(&m, SIGPIPE);
    sigprocmask(SIG_BLOCK, &m, NULL);
    hits = 0;
    w = closed_pipe();
    errno = 0;
    n = write(w, "x", 1);
    printf("blocked: n=%zd errno=%s pending=%d hits=%d\n", n, en(errno), pending(SIGPIPE), hits);
    sigprocmask(SIG_UNBLOCK, &m, NULL);
    printf("after unblock: hits=%d pending=%d\n", hits, pending(SIGPIPE));
    close(w);

    // A pipe whose reader closed after data was written: the write fails.
    int p[2];
    if (pipe(p) != 0)
        return 1;
    if (write(p[1], "abc", 3) != 3)
        return 1;
    close(p[0]);
    hits = 0;
    errno = 0;
    n = write(p[1], "d", 1);
    printf("reader closed with data buffered: n=%zd errno=%s hits=%d\n", n, en(errno), hits);
    close(p[1]);

    // Sockets: send after the peer closed.
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
        return 1;
    close(sv[1]);
    hits = 0;
    errno = 0;
    n = send(sv[0], "x", 1, 0);
    printf("socket send: n=%zd errno=%s hits=%d\n", n, en(errno), hits);
    errno = 0;
    n = send(sv[0], "x", 1, MSG_NOSIGNAL);
    printf("socket MSG_NOSIGNAL: n=%zd errno=%s hits=%d\n", n, en(errno), hits);
    errno = 0;
    n = write(sv[0], "x", 1);
    printf("socket write: n=%zd errno=%s hits=%d\n", n, en(errno), hits);
    close(sv[0]);

    // Default action again, in a child: the process dies even though the
    // pipe write happens in a loop after other output.
    signal(SIGPIPE, SIG_DFL);
    fflush(stdout);
    c = fork();
    if (c == 0) {
        int q[2];
        if (pipe(q) != 0)
            _exit(1);
        fflush(stdout);
        pid_t r = fork();
        if (r == 0) {
            close(q[1]);
            char b[4];
            if (read(q[0], b, 1) != 1)
                _exit(1);
            _exit(0); // the reader goes away after one byte
        }
        close(q[0]);
        for (int i = 0; i < 100000; i++)
            if (write(q[1], "z", 1) < 0)
                _exit(4);
        _exit(5);
    }
    waitpid(c, &st, 0);
    printf("writer after reader exit: signaled=%d sig=%d\n", WIFSIGNALED(st),
           WIFSIGNALED(st) ? WTERMSIG(st) : -1);
    return 0;
}

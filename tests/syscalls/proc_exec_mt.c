// execve in a multithreaded process: from a secondary thread the new image
// takes over the process's pid (gettid == getpid == old pid), the parent and
// other threads' state are gone, and the parent sees one exit; from the main
// thread with others blocked likewise; a failed exec in a thread changes
// nothing.
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"


static char *self;
static volatile pid_t exec_tid;

static int after_exec(void) {
    pid_t pid = getpid();
    printf("  new image: gettid == getpid: %d\n", syscall(SYS_gettid) == pid);
    printf("  new image: pid is the old process's pid: %d\n", pid == atoi(getenv("OLDPID")));
    printf("  new image: ppid unchanged: %d\n", getppid() == atoi(getenv("OLDPPID")));
    printf("  new image: the exec'ing thread's old tid is gone: %d\n",
           atoi(getenv("OLDTID")) == pid || syscall(SYS_tgkill, pid, atoi(getenv("OLDTID")), 0) != 0);
    sigset_t m;
    sigprocmask(SIG_BLOCK, NULL, &m);
    printf("  new image: mask of the exec'ing thread kept (SIGUSR2 blocked): %d\n", sigismember(&m, SIGUSR2));
    // the image is single-threaded: a new thread gets a fresh tid
    fflush(stdout);
    return 17;
}

static void do_exec(void) {
    char e1[32], e2[32], e3[32];
    snprintf(e1, sizeof e1, "OLDPID=%d", getpid());
    snprintf(e2, sizeof e2, "OLDPPID=%d", getppid());
    snprintf(e3, sizeof e3, "OLDTID=%ld", (long)syscall(SYS_gettid));
    char *av[] = {self, "--after", NULL};
    char *ev[] = {e1, e2, e3, NULL};
    fflush(stdout);
    execve(self, av, ev);
    printf("exec failed: %s\n", en(errno));
    fflush(stdout);
    _exit(99);
}

static void *blocker(void *a) {
    (void)a;
    for (;;) pause();
    return NULL;
}

static void *execer(void *a) {
    (void)a;
    sigset_t m;
    sigemptyset(&m);
    sigaddset(&m, SIGUSR2);
    pthread_sigmask(SIG_BLOCK, &m, NULL);
    exec_tid = syscall(SYS_gettid);
    do_exec();
    return NULL;
}

static void *bad_execer(void *a) {
    (void)a;
    char *av[] = {"x", NULL};
    char *ev[] = {NULL};
    execve("./does-not-exist", av, ev);
    return (void *)(long)errno;
}

int main(int argc, char **argv) {
    if (argc > 1 && !strcmp(argv[1], "--after"))
        return after_exec();
    self = argv[0];
    alarm(20);
    int st;

    printf("exec from a secondary thread (main and two others blocked):\n");
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        pthread_t t1, t2, t3;
        pthread_create(&t1, NULL, blocker, NULL);
        pthread_create(&t2, NULL, blocker, NULL);
        pthread_create(&t3, NULL, execer, NULL);
        for (;;) pause();
    }
    int w = waitpid(pid, &st, 0) == pid;
    printf("parent: one exit for the process: %d, status %d\n", w, WEXITSTATUS(st));
    int r = waitpid(-1, &st, WNOHANG | __WALL);
    printf("parent: nothing else to reap: %d %s\n", r, en(errno));

    printf("exec from the main thread with two threads blocked:\n");
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        pthread_t t1, t2;
        pthread_create(&t1, NULL, blocker, NULL);
        pthread_create(&t2, NULL, blocker, NULL);
        sigset_t m;
        sigemptyset(&m);
        sigaddset(&m, SIGUSR2);
        sigprocmask(SIG_BLOCK, &m, NULL);
        do_exec();
    }
    w = waitpid(pid, &st, 0) == pid;
    printf("parent: status %d (got it %d)\n", WEXITSTATUS(st), w);

    printf("failed exec from a thread:\n");
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        pthread_t t1, t2;
        pthread_create(&t1, NULL, blocker, NULL);
        pthread_create(&t2, NULL, bad_execer, NULL);
        void *rv;
        pthread_join(t2, &rv);
        printf("  thread saw %s, process still has its other thread: %d\n", en((int)(long)rv),
               pthread_kill(t1, 0) == 0);
        fflush(stdout);
        _exit(4);
    }
    waitpid(pid, &st, 0);
    printf("parent: status %d\n", WEXITSTATUS(st));
    return 0;
}

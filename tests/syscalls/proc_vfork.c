// vfork: the parent is suspended until the child calls _exit or execve, and
// the child's writes to memory are visible to the parent afterwards; exec
// failures surface through shared memory. posix_spawn/posix_spawnp (built on
// CLONE_VFORK by both libcs): file actions, attributes, PATH search, errors.
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common.h"


extern char **environ;

static int child_mode(const char *m) {
    if (!strcmp(m, "pgrp")) {
        printf("  spawned: own process group: %d\n", getpgrp() == getpid());
        sigset_t cur;
        sigprocmask(SIG_BLOCK, NULL, &cur);
        printf("  spawned: SIGUSR1 blocked: %d\n", sigismember(&cur, SIGUSR1));
        struct sigaction sa;
        sigaction(SIGUSR2, NULL, &sa);
        printf("  spawned: SIGUSR2 default: %d\n", sa.sa_handler == SIG_DFL);
        char buf[16] = {0};
        ssize_t n = read(0, buf, sizeof buf - 1);
        printf("  spawned: stdin gives %zd bytes: %s\n", n, buf);
        printf("  spawned: fd 7 closed: %d\n", fcntl(7, F_GETFD) < 0);
    }
    fflush(stdout);
    return 11;
}

int main(int argc, char **argv) {
    if (argc > 2 && !strcmp(argv[1], "--child"))
        return child_mode(argv[2]);
    volatile int shared = 0;
    volatile int order = 0;
    pid_t me = getpid();
    fflush(stdout);
    pid_t pid = vfork();
    if (pid == 0) {
        shared = 42;
        // The parent must not run while we sleep.
        struct timespec ts = {0, 50 * 1000 * 1000};
        nanosleep(&ts, NULL);
        order = (syscall(SYS_getppid) == me) ? 1 : 2;
        _exit(3);
    }
    printf("vfork returned child pid: %d\n", pid > 0);
    printf("child's write visible, parent resumed only after _exit: %d %d\n", shared, order);
    int st;
    int w = waitpid(pid, &st, 0) == pid;
    printf("wait gets it: %d, status %d\n", w, WEXITSTATUS(st));

    // vfork + execve: the parent resumes when the exec succeeds
    shared = 0;
    fflush(stdout);
    pid = vfork();
    if (pid == 0) {
        shared = 7;
        char *av[] = {"true", NULL};
        execve("/bin/true", av, environ);
        _exit(127);
    }
    printf("after vfork+exec, child's write visible: %d\n", shared);
    waitpid(pid, &st, 0);
    printf("/bin/true status %d\n", WEXITSTATUS(st));

    // exec failure reported through shared memory
    volatile int err = 0;
    pid = vfork();
    if (pid == 0) {
        char *av[] = {"nope", NULL};
        execve("/no/such/program", av, environ);
        err = errno;
        _exit(127);
    }
    waitpid(pid, &st, 0);
    printf("failed exec in vfork child: errno %s, status %d\n", en(err), WEXITSTATUS(st));

    // posix_spawn
    char *shav[] = {"sh", "-c", "exit 7", NULL};
    pid = 0;
    int r = posix_spawn(&pid, "/bin/sh", NULL, NULL, shav, environ);
    waitpid(pid, &st, 0);
    printf("posix_spawn sh -c 'exit 7': ret %d status %d\n", r, WEXITSTATUS(st));
    char *tav[] = {"true", NULL};
    r = posix_spawnp(&pid, "true", NULL, NULL, tav, environ);
    waitpid(pid, &st, 0);
    printf("posix_spawnp true via PATH: ret %d status %d\n", r, WEXITSTATUS(st));
    r = posix_spawn(&pid, "/no/such/program", NULL, NULL, tav, environ);
    printf("posix_spawn missing program: %s\n", en(r));
    if (r == 0) waitpid(pid, NULL, 0);
    r = posix_spawnp(&pid, "no-such-program-anywhere", NULL, NULL, tav, environ);
    printf("posix_spawnp missing program: %s\n", en(r));
    if (r == 0) waitpid(pid, NULL, 0);

    // file actions and attributes
    int fd = open("input", O_CREAT | O_RDWR | O_TRUNC, 0644);
    write(fd, "from-file", 9);
    close(fd);
    dup2(1, 7);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "input", O_RDONLY, 0);
    posix_spawn_file_actions_addclose(&fa, 7);
    posix_spawnattr_t at;
    posix_spawnattr_init(&at);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    posix_spawnattr_setpgroup(&at, 0);
    sigset_t mask, def;
    sigemptyset(&mask);
    sigaddset(&mask, SIGUSR1);
    posix_spawnattr_setsigmask(&at, &mask);
    sigemptyset(&def);
    sigaddset(&def, SIGUSR2);
    posix_spawnattr_setsigdefault(&at, &def);
    signal(SIGUSR2, SIG_IGN);
    char *sav[] = {argv[0], "--child", "pgrp", NULL};
    printf("spawning self with file actions:\n");
    fflush(stdout);
    r = posix_spawn(&pid, argv[0], &fa, &at, sav, environ);
    waitpid(pid, &st, 0);
    printf("spawn ret %d status %d\n", r, WEXITSTATUS(st));
    posix_spawn_file_actions_destroy(&fa);
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "no-such-input", O_RDONLY, 0);
    r = posix_spawn(&pid, argv[0], &fa, NULL, sav, environ);
    printf("spawn whose open action fails: %s\n", en(r));
    if (r == 0) {
        waitpid(pid, &st, 0);
        printf("  (child status %d)\n", WEXITSTATUS(st));
    }
    printf("no children left: %d\n", waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD);
    return 0;
}

// SIGKILL racing with process start-up and thread creation: children killed
// the moment fork returns (and threads' processes killed while they are
// being cloned) must simply die by SIGKILL, every time, with nothing else
// in the system disturbed.
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void *spin(void *a) {
    (void)a;
    for (;;) pause();
    return NULL;
}

int main(void) {
    alarm(25);
    int killed = 0, other = 0;
    for (int i = 0; i < 300; i++) {
        pid_t pid = fork();
        if (pid == 0) {
            // a few trapped and native calls, then wait forever
            for (;;) {
                getuid();
                getpid();
                pause();
            }
        }
        kill(pid, SIGKILL);
        int st;
        waitpid(pid, &st, 0);
        if (WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL) killed++;
        else other++;
    }
    printf("300 children killed right after fork: by SIGKILL %d, other %d\n", killed, other);

    killed = other = 0;
    for (int i = 0; i < 100; i++) {
        pid_t pid = fork();
        if (pid == 0) {
            pthread_t t;
            for (int k = 0; k < 4; k++) pthread_create(&t, NULL, spin, NULL);
            for (;;) pause();
        }
        if (i % 2) {
            struct timespec ts = {0, (i % 10) * 100 * 1000};
            nanosleep(&ts, NULL);
        }
        kill(pid, SIGKILL);
        int st;
        waitpid(pid, &st, 0);
        if (WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL) killed++;
        else other++;
    }
    printf("100 multithreaded children killed while starting threads: by SIGKILL %d, other %d\n", killed, other);

    killed = other = 0;
    for (int i = 0; i < 100; i++) {
        pid_t pid = fork();
        if (pid == 0) {
            char *av[] = {"true", NULL};
            char *ev[] = {NULL};
            execve("/bin/true", av, ev);
            _exit(127);
        }
        kill(pid, SIGKILL);
        int st;
        waitpid(pid, &st, 0);
        if (WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL) killed++;
        else if (WIFEXITED(st) && WEXITSTATUS(st) == 0) killed++;  // exec finished first
        else other++;
    }
    printf("100 children killed around execve: killed or completed %d, other %d\n", killed, other);
    return 0;
}

// prctl process attributes: PR_SET_NAME/PR_GET_NAME (15-byte truncation,
// per thread, reset by exec to the basename of the path *as passed*, even a
// symlink's), dumpable, keepcaps, no_new_privs (off at start, one-way),
// pdeathsig and subreaper defaults, timer slack, and EINVAL cases.
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"


static void *thread_name(void *a) {
    (void)a;
    prctl(PR_SET_NAME, "worker-thread");
    char n[17] = {0};
    prctl(PR_GET_NAME, n);
    char *out = strdup(n);
    return out;
}

static void run_as(const char *path, const char *self) {
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        char *av[] = {"whatever-argv0", "--name", NULL};
        char *ev[] = {NULL};
        execve(path, av, ev);
        _exit(127);
    }
    (void)self;
    waitpid(pid, NULL, 0);
}

static void copy(const char *from, const char *to) {
    int in = open(from, O_RDONLY), out = open(to, O_CREAT | O_WRONLY | O_TRUNC, 0755);
    char buf[65536];
    ssize_t n;
    while ((n = read(in, buf, sizeof buf)) > 0) write(out, buf, n);
    close(in);
    close(out);
}

int main(int argc, char **argv) {
    char n[32];
    if (argc > 1 && !strcmp(argv[1], "--name")) {
        memset(n, 0, sizeof n);
        prctl(PR_GET_NAME, n);
        printf("  comm after exec: %s\n", n);
        fflush(stdout);
        return 0;
    }
    memset(n, 0, sizeof n);
    prctl(PR_GET_NAME, n);
    const char *base = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
    printf("initial name is the first 15 bytes of the file name: %d\n", strncmp(n, base, 15) == 0 && strlen(n) == (strlen(base) < 15 ? strlen(base) : 15));
    printf("PR_SET_NAME: %d\n", prctl(PR_SET_NAME, "short"));
    prctl(PR_GET_NAME, n);
    printf("name: %s\n", n);
    prctl(PR_SET_NAME, "exactly15chars!");
    prctl(PR_GET_NAME, n);
    printf("name: %s\n", n);
    prctl(PR_SET_NAME, "this-name-is-much-longer-than-sixteen");
    memset(n, 'X', sizeof n);
    prctl(PR_GET_NAME, n);
    printf("long name truncated to: %s (NUL at 15: %d)\n", n, n[15] == 0);
    prctl(PR_SET_NAME, "");
    prctl(PR_GET_NAME, n);
    printf("empty name: \"%s\"\n", n);
    errno = 0;
    int r = prctl(PR_SET_NAME, (char *)8);
    printf("PR_SET_NAME bad pointer: %d %s\n", r, en(errno));
    prctl(PR_SET_NAME, "main-name");
    pthread_t t;
    pthread_create(&t, NULL, thread_name, NULL);
    void *tn;
    pthread_join(t, &tn);
    prctl(PR_GET_NAME, n);
    printf("thread set its own name: %s, main keeps: %s\n", (char *)tn, n);
    free(tn);

    // exec resets the name from the path given to execve
    copy(argv[0], "a-long-program-file-name");
    symlink("a-long-program-file-name", "lnk");
    printf("exec ./a-long-program-file-name:\n");
    run_as("./a-long-program-file-name", argv[0]);
    printf("exec through symlink ./lnk:\n");
    run_as("./lnk", argv[0]);
    printf("exec by absolute path (basename of the program):\n");
    run_as(argv[0], argv[0]);

    printf("PR_GET_DUMPABLE: %d\n", prctl(PR_GET_DUMPABLE, 0, 0, 0, 0));
    r = prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    printf("PR_SET_DUMPABLE 0: %d -> %d\n", r, prctl(PR_GET_DUMPABLE, 0, 0, 0, 0));
    errno = 0;
    r = prctl(PR_SET_DUMPABLE, 2, 0, 0, 0);
    printf("PR_SET_DUMPABLE 2: %d %s\n", r, en(errno));
    prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
    printf("PR_GET_KEEPCAPS: %d\n", prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0));
    r = prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0);
    printf("PR_SET_KEEPCAPS 1: %d -> %d\n", r, prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0));
    prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
    printf("PR_GET_NO_NEW_PRIVS at start: %d\n", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
    errno = 0;
    r = prctl(PR_SET_NO_NEW_PRIVS, 0, 0, 0, 0);
    printf("PR_SET_NO_NEW_PRIVS 0: %d %s\n", r, en(errno));
    errno = 0;
    r = prctl(PR_GET_NO_NEW_PRIVS, 1, 0, 0, 0);
    printf("PR_GET_NO_NEW_PRIVS with a nonzero arg: %d %s\n", r, en(errno));
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        int a = prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
        int b = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
        _exit(a == 0 && b == 1 ? 0 : 1);
    }
    int st;
    waitpid(pid, &st, 0);
    printf("child set no_new_privs: %d, ours still %d\n", WEXITSTATUS(st) == 0, prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
    int v = -1;
    prctl(PR_GET_PDEATHSIG, &v);
    printf("PR_GET_PDEATHSIG at start: %d\n", v);
    v = -1;
    prctl(PR_GET_CHILD_SUBREAPER, &v);
    printf("PR_GET_CHILD_SUBREAPER at start: %d\n", v);
    long slack = prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);
    printf("PR_GET_TIMERSLACK positive: %d\n", slack > 0);
    prctl(PR_SET_TIMERSLACK, 12345, 0, 0, 0);
    printf("PR_SET_TIMERSLACK 12345 reads back: %d\n", prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0));
    printf("PR_GET_TSC: ");
    v = -1;
    r = prctl(PR_GET_TSC, &v, 0, 0, 0);
    printf("%d value %d\n", r, v);
    errno = 0;
    r = prctl(0x7fff1234, 0, 0, 0, 0);
    printf("unknown option: %d %s\n", r, en(errno));
    errno = 0;
    r = prctl(PR_GET_PDEATHSIG, (int *)8, 0, 0, 0);
    printf("PR_GET_PDEATHSIG bad pointer: %d %s\n", r, en(errno));
    return 0;
}

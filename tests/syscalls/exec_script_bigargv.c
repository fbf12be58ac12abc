// difftest: timeout=60
// Scripts in the cwd run with long argument vectors (up to 100000 strings)
// from the main thread, a vfork child, a thread with a small stack and
// posix_spawn: the interpreter (a copy of this program in the cwd) gets every
// argument in order; a failed exec of a script leaves the caller's
// descriptors, memory mappings and stack as they were.
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"

extern char **environ;

// argv[1] is the script ("./s", then "./s2" when run through s2), then
// "a0", "a1", ...
static int interp_mode(int argc, char **argv) {
    int ok = strcmp(argv[1], "./s") == 0;
    int first = argc > 2 && strcmp(argv[2], "./s2") == 0 ? 3 : 2;
    for (int i = first; i < argc && ok; i++) {
        char want[16];
        snprintf(want, sizeof want, "a%d", i - first);
        ok = strcmp(argv[i], want) == 0;
    }
    printf("  interpreter: argc=%d, arguments as sent: %d\n", argc, ok);
    fflush(stdout);
    return 7;
}

static void copy_file(const char *from, const char *to) {
    int in = open(from, O_RDONLY), out = open(to, O_CREAT | O_WRONLY | O_TRUNC, 0755);
    char buf[65536];
    ssize_t n;
    while ((n = read(in, buf, sizeof buf)) > 0) write(out, buf, n);
    close(in);
    close(out);
}

static void script(const char *name, const char *text) {
    int fd = open(name, O_CREAT | O_WRONLY | O_TRUNC, 0755);
    write(fd, text, strlen(text));
    close(fd);
}

// {"argv0", "a0", ..., "a<n-1>", NULL}, all in one allocation.
static char **make_argv(int n) {
    char **av = malloc((n + 2) * sizeof *av);
    char *s = malloc((size_t)n * 8 + 16);
    av[0] = "argv0";
    for (int i = 0; i < n; i++) {
        av[i + 1] = s;
        s += sprintf(s, "a%d", i) + 1;
    }
    av[n + 1] = NULL;
    return av;
}

static char *env[] = {"MODE=interp", NULL};

static void outcome(int e, int st) {
    if (e)
        printf("  exec failed: %s\n", en(e));
    else
        printf("  exit status %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

static void from_fork(const char *path, int n) {
    printf("fork, %s with %d arguments:\n", path, n);
    fflush(stdout);
    char **av = make_argv(n);
    int p[2];
    pipe2(p, O_CLOEXEC);
    pid_t pid = fork();
    if (pid == 0) {
        execve(path, av, env);
        exec_failed(p[1]);
    }
    int st;
    int e = exec_outcome(pid, p, &st);
    outcome(e, st);
}

static void from_vfork(const char *path, int n) {
    printf("vfork, %s with %d arguments:\n", path, n);
    fflush(stdout);
    char **av = make_argv(n);
    volatile char canary[8192];
    for (size_t i = 0; i < sizeof canary; i++) canary[i] = (char)i;
    int p[2];
    pipe2(p, O_CLOEXEC);
    pid_t pid = vfork();
    if (pid == 0) {
        execve(path, av, env);
        exec_failed(p[1]);
    }
    int st;
    int e = exec_outcome(pid, p, &st);
    outcome(e, st);
    int same = 1;
    for (size_t i = 0; i < sizeof canary; i++) same &= canary[i] == (char)i;
    printf("  parent's stack intact: %d\n", same);
}

static const char *thread_path;
static char **thread_argv;
static void *exec_thread(void *arg) {
    int fd = *(int *)arg;
    execve(thread_path, thread_argv, env);
    int e = errno;
    write(fd, &e, sizeof e);
    _exit(127);
}

static void from_thread(const char *path, int n) {
    printf("thread with a 64 KiB stack, %s with %d arguments:\n", path, n);
    fflush(stdout);
    thread_path = path;
    thread_argv = make_argv(n);
    int p[2];
    pipe2(p, O_CLOEXEC);
    pid_t pid = fork();
    if (pid == 0) {
        pthread_attr_t a;
        pthread_attr_init(&a);
        pthread_attr_setstacksize(&a, 64 * 1024);
        pthread_t t;
        pthread_create(&t, &a, exec_thread, &p[1]);
        pause();
    }
    int st;
    int e = exec_outcome(pid, p, &st);
    outcome(e, st);
}

static void from_spawn(const char *path, int n) {
    printf("posix_spawn, %s with %d arguments:\n", path, n);
    fflush(stdout);
    char **av = make_argv(n);
    pid_t pid;
    int e = posix_spawn(&pid, path, NULL, NULL, av, env);
    int st = 0;
    if (e == 0) waitpid(pid, &st, 0);
    outcome(e, st);
}

// Counts lines of a /proc file, reading it without the heap.
static int lines_of(const char *path) {
    static char buf[1 << 16];
    int fd = open(path, O_RDONLY), n = 0;
    ssize_t k;
    while ((k = read(fd, buf, sizeof buf)) > 0)
        for (ssize_t i = 0; i < k; i++) n += buf[i] == '\n';
    close(fd);
    return n;
}

static int count_fds(void) {
    int n = 0;
    for (int fd = 0; fd < 1024; fd++) n += fcntl(fd, F_GETFD) >= 0;
    return n;
}

// A script whose interpreter is no program fails with ENOEXEC; the
// descriptors and mappings are as before.
static void *fail_exec(void *arg) {
    char **av = make_argv(*(int *)arg);
    int maps = lines_of("/proc/self/maps"), fds = count_fds();
    execve("./bad", av, env);
    int e = errno;
    int maps2 = lines_of("/proc/self/maps"), fds2 = count_fds();
    printf("  exec failed: %s; mappings as before: %d; descriptors as before: %d\n", en(e),
           maps == maps2, fds == fds2);
    fflush(stdout);
    _exit(0);
}

// The same in a child, from its main thread or a thread with a small stack.
static void failing(int n, int in_thread) {
    printf("failed exec with %d arguments%s:\n", n, in_thread ? " from a thread" : "");
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        if (!in_thread) fail_exec(&n);
        pthread_attr_t a;
        pthread_attr_init(&a);
        pthread_attr_setstacksize(&a, 64 * 1024);
        pthread_t t;
        pthread_create(&t, &a, fail_exec, &n);
        pause();
    }
    int st;
    waitpid(pid, &st, 0);
}

int main(int argc, char **argv) {
    const char *m = getenv("MODE");
    if (m && strcmp(m, "interp") == 0)
        return interp_mode(argc, argv);
    (void)argc;
    copy_file(argv[0], "interp");
    script("s", "#!./interp\n");
    script("s2", "#!./s\n");
    script("garbage", "\001\002 not a program\n");
    chmod("garbage", 0755);
    script("bad", "#!./garbage\n");

    int sizes[] = {0, 1, 1000, 20000, 100000};
    for (int i = 0; i < 5; i++) from_fork("./s", sizes[i]);
    from_fork("./s2", 20000);
    from_vfork("./s", 10);
    from_vfork("./s", 50000);
    from_thread("./s", 10);
    from_thread("./s", 30000);
    from_spawn("./s", 10);
    from_spawn("./s2", 30000);
    failing(10, 0);
    failing(50000, 0);
    failing(10, 1);
    failing(30000, 1);
    return 0;
}

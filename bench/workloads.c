// The benchmark workloads, one per mode. Each prints one line:
//   RESULT <name> <nanoseconds per operation>
// Built static, so the same binary runs natively, in ruml and in UML.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e9 + t.tv_nsec;
}

static void result(const char *name, double total_ns, long ops) {
    printf("RESULT %s %.1f\n", name, total_ns / ops);
    fflush(stdout);
}

static void die(const char *what) {
    fprintf(stderr, "workloads: %s: %s\n", what, strerror(errno));
    exit(1);
}

// getppid: a syscall that needs no kernel state beyond the caller.
static void bench_getppid(long n) {
    double t = now_ns();
    for (long i = 0; i < n; i++)
        syscall(SYS_getppid);
    result("getppid", now_ns() - t, n);
}

// fork + execve + wait of a trivial program.
static void bench_forkexec(long n, const char *prog) {
    double t = now_ns();
    for (long i = 0; i < n; i++) {
        pid_t p = fork();
        if (p < 0)
            die("fork");
        if (p == 0) {
            execl(prog, prog, (char *)NULL);
            _exit(127);
        }
        int st;
        if (waitpid(p, &st, 0) != p || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
            die("child");
    }
    result("fork_exec_wait", now_ns() - t, n);
}

// First touch of every page of a fresh anonymous mapping.
static void bench_pagefault(long mb) {
    size_t len = (size_t)mb << 20;
    char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        die("mmap");
    long pages = len / 4096;
    double t = now_ns();
    for (long i = 0; i < pages; i++)
        p[i * 4096] = 1;
    result("page_fault", now_ns() - t, pages);
    munmap(p, len);
}

// MB mebibytes from one process to another through a pipe (64 KiB writes);
// reported per MiB.
static void bench_pipe(long mb) {
    int fds[2];
    if (pipe(fds))
        die("pipe");
    static char buf[65536];
    double t = now_ns();
    pid_t p = fork();
    if (p == 0) {
        close(fds[0]);
        memset(buf, 'x', sizeof buf);
        for (long i = 0; i < mb * 16; i++)
            if (write(fds[1], buf, sizeof buf) != sizeof buf)
                _exit(1);
        _exit(0);
    }
    close(fds[1]);
    long total = 0;
    ssize_t r;
    while ((r = read(fds[0], buf, sizeof buf)) > 0)
        total += r;
    waitpid(p, NULL, 0);
    if (total != mb << 20)
        die("short pipe transfer");
    result("pipe_MiB", now_ns() - t, mb);
}

// N small files created, read back and deleted in the current directory;
// reported per file.
static void bench_files(long n, const char *name) {
    char path[64], data[100], back[100];
    memset(data, 'f', sizeof data);
    double t = now_ns();
    for (long i = 0; i < n; i++) {
        snprintf(path, sizeof path, "f%ld", i);
        int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
        if (fd < 0 || write(fd, data, sizeof data) != sizeof data)
            die("create");
        close(fd);
    }
    for (long i = 0; i < n; i++) {
        snprintf(path, sizeof path, "f%ld", i);
        int fd = open(path, O_RDONLY);
        if (fd < 0 || read(fd, back, sizeof back) != sizeof back)
            die("read");
        close(fd);
    }
    for (long i = 0; i < n; i++) {
        snprintf(path, sizeof path, "f%ld", i);
        if (unlink(path))
            die("unlink");
    }
    result(name, now_ns() - t, n);
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: workloads MODE N [ARG]\n");
        return 2;
    }
    long n = atol(argv[2]);
    const char *m = argv[1];
    if (!strcmp(m, "getppid"))
        bench_getppid(n);
    else if (!strcmp(m, "forkexec"))
        bench_forkexec(n, argc > 3 ? argv[3] : "/bin/true");
    else if (!strcmp(m, "pagefault"))
        bench_pagefault(n);
    else if (!strcmp(m, "pipe"))
        bench_pipe(n);
    else if (!strcmp(m, "files"))
        bench_files(n, argc > 3 ? argv[3] : "files");
    else {
        fprintf(stderr, "workloads: unknown mode %s\n", m);
        return 2;
    }
    return 0;
}

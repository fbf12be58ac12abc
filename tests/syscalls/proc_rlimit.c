// Resource limits: getrlimit/setrlimit/prlimit round trips (lowering only,
// soft above hard is EINVAL, bad resource EINVAL), prlimit on a child and on
// a missing pid, inheritance through fork and exec, and enforcement:
// RLIMIT_NOFILE (EMFILE, dup2/F_DUPFD beyond it), RLIMIT_FSIZE (EFBIG with
// SIGXFSZ ignored), RLIMIT_AS (mmap ENOMEM), RLIMIT_STACK for exec'd images.
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"


static void show(const char *what, int res) {
    struct rlimit r;
    getrlimit(res, &r);
    printf("%s: soft %lld hard %lld\n", what, r.rlim_cur == RLIM_INFINITY ? -1LL : (long long)r.rlim_cur,
           r.rlim_max == RLIM_INFINITY ? -1LL : (long long)r.rlim_max);
}

int main(int argc, char **argv) {
    if (argc > 1 && !strcmp(argv[1], "--child")) {
        show("  exec'd image RLIMIT_NOFILE", RLIMIT_NOFILE);
        show("  exec'd image RLIMIT_CORE", RLIMIT_CORE);
        fflush(stdout);
        return 0;
    }
    struct rlimit r, old;
    // Set known values below whatever we inherited.
    getrlimit(RLIMIT_NOFILE, &r);
    r.rlim_cur = 64;
    r.rlim_max = r.rlim_max > 1000 ? 1000 : r.rlim_max;
    printf("setrlimit NOFILE 64/1000: %d\n", setrlimit(RLIMIT_NOFILE, &r));
    show("NOFILE", RLIMIT_NOFILE);
    r.rlim_cur = 2000;
    errno = 0;
    int rc = setrlimit(RLIMIT_NOFILE, &r);
    printf("soft above hard: %d %s\n", rc, en(errno));
    r.rlim_cur = 1000;
    printf("soft raised to hard: %d\n", setrlimit(RLIMIT_NOFILE, &r));
    r.rlim_cur = 64;
    setrlimit(RLIMIT_NOFILE, &r);
    errno = 0;
    rc = getrlimit(99, &r);
    printf("getrlimit(99): %d %s\n", rc, en(errno));
    errno = 0;
    rc = setrlimit(99, &r);
    printf("setrlimit(99): %d %s\n", rc, en(errno));
    errno = 0;
    rc = getrlimit(RLIMIT_NOFILE, (struct rlimit *)8);
    printf("getrlimit bad pointer: %d %s\n", rc, en(errno));

    // prlimit: new and old in one call, on self and on a child
    struct rlimit nw = {0, 0};
    getrlimit(RLIMIT_CORE, &old);
    nw.rlim_cur = 0;
    nw.rlim_max = old.rlim_max < (1 << 20) ? old.rlim_max : (1 << 20);
    struct rlimit got;
    rc = prlimit(0, RLIMIT_CORE, &nw, &got);
    printf("prlimit(0, CORE, new, old): %d, old matches getrlimit: %d\n", rc,
           got.rlim_cur == old.rlim_cur && got.rlim_max == old.rlim_max);
    show("CORE", RLIMIT_CORE);
    int p[2];
    pipe(p);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        char c;
        read(p[0], &c, 1);
        show("  child after parent's prlimit CPU", RLIMIT_CPU);
        show("  child inherited NOFILE", RLIMIT_NOFILE);
        fflush(stdout);
        _exit(0);
    }
    struct rlimit cpu = {100, 200};
    printf("prlimit(child, CPU, 100/200): %d\n", prlimit(pid, RLIMIT_CPU, &cpu, NULL));
    prlimit(pid, RLIMIT_CPU, NULL, &got);
    printf("prlimit(child) reads back %lld/%lld\n", (long long)got.rlim_cur, (long long)got.rlim_max);
    write(p[1], "x", 1);
    waitpid(pid, NULL, 0);
    errno = 0;
    rc = prlimit(99999, RLIMIT_CPU, NULL, &got);
    printf("prlimit(no such pid): %d %s\n", rc, en(errno));
    errno = 0;
    rc = syscall(SYS_prlimit64, 0, 99, NULL, &got);
    printf("prlimit64 bad resource: %d %s\n", rc, en(errno));

    // exec keeps limits
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        char *av[] = {argv[0], "--child", NULL};
        char *ev[] = {NULL};
        execve(argv[0], av, ev);
        _exit(127);
    }
    waitpid(pid, NULL, 0);

    // NOFILE enforcement
    r.rlim_cur = 10;
    r.rlim_max = 1000;
    setrlimit(RLIMIT_NOFILE, &r);
    int opened = 0, fd, last_err = 0;
    int fds[64];
    while ((fd = open(".", O_RDONLY)) >= 0 && opened < 64) fds[opened++] = fd;
    last_err = errno;
    printf("NOFILE 10: opened until fd %d, then %s\n", opened ? fds[opened - 1] : -1, en(last_err));
    errno = 0;
    rc = dup2(0, 10);
    printf("dup2 to fd 10: %d %s\n", rc, en(errno));
    errno = 0;
    rc = dup2(0, 9);
    printf("dup2 to fd 9 (replacing): %d %s\n", rc, en(errno));
    errno = 0;
    rc = fcntl(0, F_DUPFD, 10);
    printf("F_DUPFD from 10: %d %s\n", rc, en(errno));
    errno = 0;
    int pp[2];
    rc = pipe(pp);
    printf("pipe at the limit: %d %s\n", rc, en(errno));
    for (int i = 0; i < opened; i++) close(fds[i]);
    r.rlim_cur = 64;
    setrlimit(RLIMIT_NOFILE, &r);

    // FSIZE
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit fs = {4096, 4096};
    getrlimit(RLIMIT_FSIZE, &old);
    fs.rlim_max = old.rlim_max;
    setrlimit(RLIMIT_FSIZE, &fs);
    fd = open("big", O_CREAT | O_RDWR | O_TRUNC, 0644);
    static char buf[8192];
    ssize_t w = write(fd, buf, 3000);
    printf("FSIZE 4096: write 3000 -> %zd\n", w);
    w = write(fd, buf, 3000);
    printf("  write 3000 more -> %zd (short)\n", w);
    errno = 0;
    w = write(fd, buf, 10);
    printf("  write at the limit -> %zd %s\n", w, en(errno));
    errno = 0;
    rc = ftruncate(fd, 8192);
    printf("  ftruncate beyond -> %d %s\n", rc, en(errno));
    close(fd);
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        signal(SIGXFSZ, SIG_DFL);
        int f = open("big2", O_CREAT | O_WRONLY | O_TRUNC, 0644);
        struct rlimit z = {0, 0};
        setrlimit(RLIMIT_CORE, &z);
        write(f, buf, 5000);
        write(f, buf, 10);
        _exit(0);
    }
    int st;
    waitpid(pid, &st, 0);
    printf("  with SIGXFSZ default the writer dies by signal %d\n", WIFSIGNALED(st) ? WTERMSIG(st) : 0);
    fs.rlim_cur = old.rlim_cur;
    setrlimit(RLIMIT_FSIZE, &fs);

    // AS
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        struct rlimit as = {256 << 20, 256 << 20};
        setrlimit(RLIMIT_AS, &as);
        void *m = mmap(NULL, 512 << 20, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        int e = errno;
        void *m2 = mmap(NULL, 16 << 20, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        printf("  AS 256M: mmap 512M %s, mmap 16M %s\n", m == MAP_FAILED ? en(e) : "ok",
               m2 == MAP_FAILED ? "failed" : "ok");
        fflush(stdout);
        _exit(0);
    }
    waitpid(pid, NULL, 0);
    return 0;
}

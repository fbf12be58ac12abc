// Per-process procfs files agree with the syscalls: /proc/self/cmdline and
// environ hold argv/envp, comm follows PR_SET_NAME (and writes to it), status
// and stat report pid, ppid, state, uids and the thread count, task/ lists
// every thread, auxv matches getauxval, and a zombie child shows state Z.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static ssize_t slurp(const char *path, char *buf, size_t n) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) return -1;
    size_t got = 0;
    ssize_t r;
    while (got < n && (r = read(fd, buf + got, n - got)) > 0) got += r;
    close(fd);
    return got;
}

static long status_field(const char *path, const char *key) {
    static char buf[8192];
    ssize_t n = slurp(path, buf, sizeof buf - 1);
    if (n < 0) return -999;
    buf[n] = 0;
    char *p = strstr(buf, key);
    if (!p) return -998;
    return strtol(p + strlen(key), NULL, 10);
}

static void comm_of(const char *path, char *out) {
    ssize_t n = slurp(path, out, 31);
    if (n < 0) { strcpy(out, "(unreadable)"); return; }
    out[n] = 0;
    char *nl = strchr(out, '\n');
    if (nl) *nl = 0;
    else strcat(out, "(no newline)");
}

static int count_tasks(void) {
    DIR *d = opendir("/proc/self/task");
    if (!d) return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.') n++;
    closedir(d);
    return n;
}

static pthread_barrier_t bar;
static pid_t tids[4];

static void *thr(void *arg) {
    long i = (long)arg;
    tids[i] = syscall(SYS_gettid);
    char name[16];
    snprintf(name, sizeof name, "worker-%ld", i);
    prctl(PR_SET_NAME, name);
    pthread_barrier_wait(&bar);
    pthread_barrier_wait(&bar);
    return NULL;
}

int main(int argc, char **argv) {
    (void)argc;
    static char buf[65536];
    ssize_t n = slurp("/proc/self/cmdline", buf, sizeof buf);
    size_t want = 0;
    for (char **a = argv; *a; a++) want += strlen(*a) + 1;
    int same = n == (ssize_t)want;
    size_t off = 0;
    for (char **a = argv; same && *a; a++) {
        same = strcmp(buf + off, *a) == 0;
        off += strlen(*a) + 1;
    }
    printf("cmdline is argv NUL-separated: %d\n", same);

    n = slurp("/proc/self/environ", buf, sizeof buf);
    printf("environ:");
    for (ssize_t i = 0; i < n; i += strlen(buf + i) + 1) printf(" [%s]", buf + i);
    printf("\n");

    char comm[32], name[17];
    comm_of("/proc/self/comm", comm);
    prctl(PR_GET_NAME, name);
    printf("comm equals PR_GET_NAME: %d (%s)\n", strcmp(comm, name) == 0, comm);
    prctl(PR_SET_NAME, "renamed-by-prctl-long");
    comm_of("/proc/self/comm", comm);
    printf("comm after PR_SET_NAME: %s\n", comm);
    int fd = open("/proc/self/comm", O_WRONLY);
    printf("write to /proc/self/comm: %d\n", fd >= 0 && write(fd, "via-proc", 8) == 8);
    close(fd);
    prctl(PR_GET_NAME, name);
    printf("PR_GET_NAME after write: %s\n", name);

    printf("status Pid matches: %d\n", status_field("/proc/self/status", "\nPid:") == getpid());
    printf("status PPid matches: %d\n", status_field("/proc/self/status", "\nPPid:") == getppid());
    printf("status Tgid matches: %d\n", status_field("/proc/self/status", "\nTgid:") == getpid());
    printf("status Uid: %ld\n", status_field("/proc/self/status", "\nUid:"));
    printf("status Threads: %ld\n", status_field("/proc/self/status", "\nThreads:"));
    n = slurp("/proc/self/status", buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = 0;
    char *st = strstr(buf, "\nState:");
    printf("status State: %.1s\n", st ? st + 8 : "?");

    n = slurp("/proc/self/stat", buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = 0;
    char *rp = strrchr(buf, ')');
    char state = 0;
    int ppid = 0, pgrp = 0, sid = 0, pid = atoi(buf);
    if (rp) sscanf(rp + 2, "%c %d %d %d", &state, &ppid, &pgrp, &sid);
    printf("stat: pid ok %d, comm in parens %d, state %c, ppid ok %d, pgrp ok %d, sid ok %d\n",
           pid == getpid(), strstr(buf, "(via-proc)") != NULL, state ? state : '?',
           ppid == getppid(), pgrp == getpgrp(), sid == getsid(0));

    n = slurp("/proc/self/auxv", buf, sizeof buf);
    unsigned long *av = (unsigned long *)buf;
    int ok = n > 16 && n % 16 == 0, entries = 0;
    for (ssize_t i = 0; ok && i + 1 < n / 8 && av[i] != AT_NULL; i += 2, entries++)
        if (av[i] != AT_IGNORE && getauxval(av[i]) != av[i + 1]) ok = 0;
    printf("auxv agrees with getauxval: %d, more than 10 entries: %d\n", ok, entries > 10);

    printf("task entries before threads: %d\n", count_tasks());
    pthread_barrier_init(&bar, NULL, 5);
    pthread_t t[4];
    for (long i = 0; i < 4; i++) pthread_create(&t[i], NULL, thr, (void *)i);
    pthread_barrier_wait(&bar);
    printf("task entries with 4 threads: %d\n", count_tasks());
    printf("status Threads with 4 threads: %ld\n", status_field("/proc/self/status", "\nThreads:"));
    for (int i = 0; i < 4; i++) {
        char path[64];
        snprintf(path, sizeof path, "/proc/self/task/%d/comm", tids[i]);
        comm_of(path, comm);
        printf("thread %d comm: %s\n", i, comm);
    }
    char path[64];
    snprintf(path, sizeof path, "/proc/self/task/%d/comm", getpid());
    comm_of(path, comm);
    printf("main thread comm: %s\n", comm);
    snprintf(path, sizeof path, "/proc/%d/status", tids[2]);
    printf("/proc/<tid>/status Pid is the tid: %d, Tgid is the pid: %d\n",
           status_field(path, "\nPid:") == tids[2], status_field(path, "\nTgid:") == getpid());
    pthread_barrier_wait(&bar);
    for (int i = 0; i < 4; i++) pthread_join(t[i], NULL);
    // A joined thread may linger in task/ for a moment after its tid clears.
    int left = count_tasks();
    for (int i = 0; i < 1000 && left > 1; i++) {
        usleep(1000);
        left = count_tasks();
    }
    printf("task entries after join: %d\n", left);

    fflush(stdout);
    pid_t c = fork();
    if (c == 0) _exit(3);
    siginfo_t si;
    waitid(P_PID, c, &si, WEXITED | WNOWAIT);
    snprintf(path, sizeof path, "/proc/%d/stat", c);
    n = slurp(path, buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = 0;
    rp = strrchr(buf, ')');
    printf("zombie child state: %c\n", rp ? rp[2] : '?');
    snprintf(path, sizeof path, "/proc/%d/status", c);
    printf("zombie PPid is us: %d\n", status_field(path, "\nPPid:") == getpid());
    waitpid(c, NULL, 0);
    printf("reaped child's /proc dir gone: %d\n", access(path, F_OK) != 0 && errno == ENOENT);
    printf("/proc/self is a symlink to the pid: %d\n",
           (n = readlink("/proc/self", buf, 64)) > 0 && (buf[n] = 0, atoi(buf) == getpid()));
    return 0;
}

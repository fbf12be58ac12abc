// /proc/PID of a child: after exec its comm is the new program's name, its
// cmdline and environ are what execve passed, it sleeps in pause() (state S),
// is stopped by SIGSTOP (T) and resumed by SIGCONT, becomes a zombie (Z, empty
// cmdline, no exe link) when killed, and its directory disappears from /proc
// (and from the listing) once reaped.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

static char text[8192];
static pid_t kid;

static int slurp_pid(const char *file) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/%s", kid, file);
    return slurp_into(path, text, sizeof text);
}

/* State letter from /proc/PID/stat, or '?' (comm copied to `comm`). */
static char state_of(char *comm) {
    if (slurp_pid("stat") < 0)
        return '?';
    char *lp = strchr(text, '('), *rp = strrchr(text, ')');
    if (!lp || !rp)
        return '!';
    if (comm)
        snprintf(comm, 32, "%.*s", (int)(rp - lp - 1), lp + 1);
    return rp[2];
}

static long field(int n) { /* n-th stat field (1-based) after the comm */
    char *rp = strrchr(text, ')');
    if (!rp)
        return -1;
    char *f = rp + 2;
    for (int i = 3; i < n && f; i++) {
        f = strchr(f, ' ');
        if (f)
            f++;
    }
    return f ? atol(f) : -1;
}

static const char *status_line(const char *key) {
    static char v[128];
    v[0] = 0;
    if (slurp_pid("status") < 0)
        return en(errno);
    char *l = strstr(text, key);
    if (l) {
        l += strlen(key) + 1;
        while (*l == '\t' || *l == ' ')
            l++;
        snprintf(v, sizeof v, "%.*s", (int)strcspn(l, "\n"), l);
    }
    return v;
}

/* Polls until the state is `want` (and comm is `comm` if given), up to 5 s. */
static char wait_state(char want, const char *comm) {
    char st = '?', c[32] = {0};
    for (int i = 0; i < 1000; i++) {
        st = state_of(c);
        if (st == want && (!comm || strcmp(c, comm) == 0))
            break;
        usleep(5000);
    }
    return st;
}

static int listed(pid_t pid) {
    DIR *d = opendir("/proc");
    if (!d)
        return -1;
    struct dirent *e;
    int found = 0;
    char want[16];
    snprintf(want, sizeof want, "%d", pid);
    while ((e = readdir(d)))
        found |= strcmp(e->d_name, want) == 0;
    closedir(d);
    return found;
}

static void show_nul(const char *label, const char *file) {
    int n = slurp_pid(file);
    if (n < 0) {
        printf("%s: %s\n", label, en(errno));
        return;
    }
    printf("%s (%d bytes): ", label, n);
    for (int i = 0; i < n; i++)
        putchar(text[i] ? text[i] : '|');
    putchar('\n');
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "--pause") == 0) {
        for (;;)
            pause();
    }
    alarm(20);
    /* The comm a process gets from exec: the first 15 bytes of the file name. */
    const char *base = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
    char comm[32];
    snprintf(comm, sizeof comm, "%.15s", base);

    fflush(stdout);
    kid = fork();
    if (kid == 0) {
        char *args[] = {"kid-argv0", "--pause", "x y", NULL};
        char *envs[] = {"KID=1", "PATH=/bin", NULL};
        execve(argv[0], args, envs);
        _exit(127);
    }
    char st = wait_state('S', comm);
    printf("sleeping child state: %c\n", st);
    char c[32] = {0};
    state_of(c);
    printf("comm after exec is the file name: %d\n", strcmp(c, comm) == 0);
    printf("ppid field is us: %d, pgrp field is ours: %d\n", field(4) == getpid(), field(5) == getpgrp());
    show_nul("cmdline", "cmdline");
    show_nul("environ", "environ");
    printf("status State: %s\n", status_line("State:"));
    printf("status PPid is us: %d\n", atol(status_line("PPid:")) == getpid());
    printf("status Pid is the child: %d\n", atol(status_line("Pid:")) == kid);
    printf("/proc lists the child: %d, and us: %d\n", listed(kid), listed(getpid()));
    char path[64], link[256];
    snprintf(path, sizeof path, "/proc/%d/exe", kid);
    char mine[256] = {0};
    readlink("/proc/self/exe", mine, sizeof mine - 1);
    ssize_t n = readlink(path, link, sizeof link - 1);
    link[n > 0 ? n : 0] = 0;
    printf("child's exe link is our executable: %d\n", strcmp(link, mine) == 0);
    snprintf(path, sizeof path, "/proc/%d/task/%d", kid, kid);
    printf("task/TID directory exists: %d\n", access(path, F_OK) == 0);

    kill(kid, SIGSTOP);
    int ws;
    int w = waitpid(kid, &ws, WUNTRACED) == kid;
    printf("waitpid WUNTRACED: %d, stopped by SIGSTOP %d\n", w, WIFSTOPPED(ws) && WSTOPSIG(ws) == SIGSTOP);
    printf("stopped child state: %c\n", wait_state('T', NULL));
    printf("status State: %s\n", status_line("State:"));
    kill(kid, SIGCONT);
    w = waitpid(kid, &ws, WCONTINUED) == kid;
    printf("waitpid WCONTINUED: %d, continued %d\n", w, WIFCONTINUED(ws));
    printf("continued child state: %c\n", wait_state('S', NULL));

    kill(kid, SIGTERM);
    siginfo_t si;
    memset(&si, 0, sizeof si);
    w = waitid(P_PID, kid, &si, WEXITED | WNOWAIT) == 0;
    printf("waitid WNOWAIT: %d, killed by SIGTERM %d\n", w, si.si_code == CLD_KILLED && si.si_status == SIGTERM);
    printf("zombie state: %c\n", wait_state('Z', NULL));
    printf("status State: %s\n", status_line("State:"));
    show_nul("zombie cmdline", "cmdline");
    snprintf(path, sizeof path, "/proc/%d/exe", kid);
    report("zombie exe readlink", readlink(path, link, sizeof link));
    printf("zombie still listed: %d\n", listed(kid));

    printf("reaped: %d\n", waitpid(kid, &ws, 0) == kid);
    printf("after reaping: stat %s, listed %d\n", slurp_pid("stat") < 0 ? en(errno) : "still there", listed(kid));
    snprintf(path, sizeof path, "/proc/%d", kid);
    report("access /proc/PID", access(path, F_OK));
    report("open /proc/999999/stat", open("/proc/999999/stat", O_RDONLY) < 0 ? -1 : 0);
    return 0;
}

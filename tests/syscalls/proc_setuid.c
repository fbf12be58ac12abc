// difftest: needs-root
// Changing credentials (each case in a child): setresuid/setuid/setreuid/
// seteuid rules for root and non-root (saved ids, EPERM), the gid family and
// setgroups, setfsuid following euid, capabilities dropped with uid 0, and
// what a non-root process may no longer do (kill root's processes, set the
// hostname, raise its priority); raw setresuid is per thread.
#include <errno.h>
#include <grp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"


struct cap_hdr {
    unsigned version;
    int pid;
};
struct cap_data {
    unsigned eff, perm, inh;
};

static void caps(unsigned long long *eff, unsigned long long *perm) {
    struct cap_hdr h = {0x20080522, 0};
    struct cap_data d[2] = {{0}};
    syscall(SYS_capget, &h, d);
    *eff = d[0].eff | (unsigned long long)d[1].eff << 32;
    *perm = d[0].perm | (unsigned long long)d[1].perm << 32;
}

static void ids(const char *what) {
    uid_t r, e, s;
    getresuid(&r, &e, &s);
    int fs = setfsuid(-1);
    unsigned long long ce, cp;
    caps(&ce, &cp);
    printf("  %s: resuid %d/%d/%d fsuid %d caps eff %s perm %s\n", what, r, e, s, fs,
           ce == 0 ? "none" : "some", cp == 0 ? "none" : "some");
}

static void gids(const char *what) {
    gid_t r, e, s;
    getresgid(&r, &e, &s);
    gid_t g[16];
    int n = getgroups(16, g);
    printf("  %s: resgid %d/%d/%d fsgid %d groups", what, r, e, s, setfsgid(-1));
    for (int i = 0; i < n; i++) printf(" %d", g[i]);
    printf("\n");
}

#define TRY(expr)                                                  \
    do {                                                           \
        errno = 0;                                                 \
        int r_ = (expr);                                           \
        printf("  %s -> %d %s\n", #expr, r_, r_ < 0 ? en(errno) : ""); \
    } while (0)

static void run(const char *title, void (*fn)(void)) {
    printf("%s\n", title);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        fn();
        fflush(stdout);
        _exit(0);
    }
    int st;
    waitpid(pid, &st, 0);
    if (!WIFEXITED(st) || WEXITSTATUS(st)) printf("  child status 0x%x\n", st);
}

static void c_setresuid(void) {
    TRY(setresuid(1000, 1001, 1002));
    ids("after setresuid(1000,1001,1002)");
    TRY(setuid(0));
    TRY(setuid(1002));
    ids("after setuid(1002) as non-root: only euid changes");
    TRY(seteuid(1001));
    TRY(seteuid(1003));
    TRY(setresuid(1001, -1, 1000));
    ids("after setresuid(1001,-1,1000)");
    TRY(setreuid(1000, 1000));
    ids("after setreuid(1000,1000)");
    TRY(setresuid(0, 0, 0));
}

static void c_setuid_root(void) {
    TRY(setuid(1000));
    ids("after root setuid(1000): all three");
    TRY(setuid(0));
    TRY(seteuid(0));
}

static void c_seteuid_back(void) {
    TRY(seteuid(1000));
    ids("after seteuid(1000): saved stays 0, effective caps gone");
    TRY(seteuid(0));
    ids("after seteuid(0): caps back");
    TRY(setreuid(-1, 1000));
    ids("after setreuid(-1,1000) with ruid 0: saved set to new euid");
    TRY(seteuid(0));
}

static void c_setreuid(void) {
    TRY(setreuid(1000, -1));
    ids("after setreuid(1000,-1): saved becomes euid");
    TRY(setreuid(-1, 1000));
    ids("after setreuid(-1,1000)");
    TRY(setreuid(0, -1));
}

static void c_gids(void) {
    gid_t list[] = {10, 20, 30};
    TRY(setgroups(3, list));
    gids("after setgroups(10,20,30)");
    gid_t g[4];
    TRY(getgroups(2, g));
    TRY(setresgid(100, 200, 300));
    gids("after setresgid(100,200,300)");
    TRY(setgid(400));
    gids("after root setgid(400)");
    TRY(setregid(500, -1));
    gids("after setregid(500,-1)");
    TRY(setgroups(0, NULL));
    gids("after setgroups(0)");
    TRY(setresuid(1000, 1000, 1000));
    TRY(setgroups(1, list));
    TRY(setgid(0));
    TRY(setgid(400));
    gids("as uid 1000 after setgid(400)");
    TRY(setresgid(-1, 500, -1));
    gids("as uid 1000 after setresgid(-1,500,-1)");
}

static void c_fsuid(void) {
    printf("  setfsuid(1234) returns %d\n", setfsuid(1234));
    printf("  setfsuid(-1) returns %d\n", setfsuid(-1));
    printf("  setfsgid(567) returns %d\n", setfsgid(567));
    printf("  setfsgid(-1) returns %d\n", setfsgid(-1));
    TRY(seteuid(1000));
    ids("seteuid(1000) resets fsuid to the new euid");
    printf("  setfsuid(4321) as euid 1000 (not allowed) returns %d\n", setfsuid(4321));
    printf("  fsuid still %d\n", setfsuid(-1));
    printf("  setfsuid(0) (saved uid) returns %d\n", setfsuid(0));
    printf("  fsuid now %d\n", setfsuid(-1));
}

static void c_nonroot_limits(void) {
    pid_t parent = getppid();
    TRY(setresuid(1000, 1000, 1000));
    TRY(kill(parent, 0));
    TRY(kill(1, 0));
    TRY(sethostname("nope", 4));
    TRY(setpriority(PRIO_PROCESS, 0, 5));
    TRY(setpriority(PRIO_PROCESS, 0, 2));
    TRY(setpriority(PRIO_PROCESS, parent, 5));
    TRY(prctl(PR_CAPBSET_DROP, 1, 0, 0, 0));
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_max = rl.rlim_max + 1;
    TRY(setrlimit(RLIMIT_NOFILE, &rl));
    TRY(chroot("."));
    // a process with the same uid may be signalled
    pid_t c = fork();
    if (c == 0) {
        pause();
        _exit(0);
    }
    TRY(kill(c, SIGKILL));
    waitpid(c, NULL, 0);
}

static const char *self_path;
static void c_exec_after(void) {
    TRY(setresuid(1000, 1000, 1000));
    TRY(setresgid(2000, 2000, 2000));
    fflush(stdout);
    char *av[] = {"self", "--child", NULL};
    char *ev[] = {NULL};
    execve(self_path, av, ev);
    printf("  exec failed: %s\n", en(errno));
}

static volatile int thread_done;
static void *raw_setuid_thread(void *a) {
    (void)a;
    long r = syscall(SYS_setresuid, 1000, 1000, 1000);
    printf("  thread raw setresuid -> %ld, thread uid now %ld\n", r, syscall(SYS_getuid));
    return NULL;
}
static void c_per_thread(void) {
    pthread_t t;
    pthread_create(&t, NULL, raw_setuid_thread, NULL);
    pthread_join(t, NULL);
    printf("  main thread's uid unchanged (raw syscall is per thread): %ld\n", syscall(SYS_getuid));
    TRY(setuid(1000));
    printf("  libc setuid applies to the process: main uid %d\n", getuid());
}

int main(int argc, char **argv) {
    if (argc > 1 && !strcmp(argv[1], "--child")) {
        printf("  exec'd image: uid %d euid %d gid %d, AT_UID %lu AT_EUID %lu AT_GID %lu AT_SECURE %lu\n", getuid(),
               geteuid(), getgid(), getauxval(AT_UID), getauxval(AT_EUID), getauxval(AT_GID),
               getauxval(AT_SECURE));
        unsigned long long ce, cp;
        caps(&ce, &cp);
        printf("  exec'd image: caps eff %s perm %s\n", ce ? "some" : "none", cp ? "some" : "none");
        fflush(stdout);
        return 0;
    }
    self_path = argv[0];
    ids("start");
    run("setresuid as root, then the non-root rules:", c_setresuid);
    run("root setuid drops everything:", c_setuid_root);
    run("seteuid keeps the saved uid:", c_seteuid_back);
    run("setreuid and the saved uid:", c_setreuid);
    run("groups:", c_gids);
    run("fsuid:", c_fsuid);
    run("what uid 1000 may not do:", c_nonroot_limits);
    run("exec after dropping to 1000:", c_exec_after);
    run("raw setresuid in one thread:", c_per_thread);
    return 0;
}

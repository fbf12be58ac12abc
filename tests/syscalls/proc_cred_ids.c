// Credential getters as the (namespace) root user the suite runs as: real,
// effective, saved and filesystem ids are all 0, setfsuid(-1) queries,
// no-op set*id calls to the current ids succeed, getgroups sizes/errors,
// and children and exec'd images inherit the same ids (AT_* auxv agrees).
// difftest: needs-root (getgroups reports the host user's groups in a user namespace)
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/fsuid.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"


static void show_ids(const char *who) {
    uid_t r, e, s;
    gid_t gr, ge, gs;
    getresuid(&r, &e, &s);
    getresgid(&gr, &ge, &gs);
    int fsu = setfsuid(-1), fsg = setfsgid(-1);
    printf("%s: uid %d euid %d resuid %d/%d/%d fsuid %d | gid %d egid %d resgid %d/%d/%d fsgid %d\n", who,
           getuid(), geteuid(), r, e, s, fsu, getgid(), getegid(), gr, ge, gs, fsg);
}

int main(int argc, char **argv) {
    if (argc > 1 && !strcmp(argv[1], "--child")) {
        show_ids("exec'd image");
        printf("exec'd image: AT_UID/AT_EUID/AT_GID/AT_EGID = %lu %lu %lu %lu, AT_SECURE %lu\n",
               getauxval(AT_UID), getauxval(AT_EUID), getauxval(AT_GID), getauxval(AT_EGID),
               getauxval(AT_SECURE));
        fflush(stdout);
        return 0;
    }
    show_ids("start");
    printf("raw getuid syscall agrees: %d\n", syscall(SYS_getuid) == getuid());
    errno = 0;
    int r = setuid(0);
    printf("setuid(0) as root: %d %s\n", r, en(errno));
    errno = 0;
    r = setgid(0);
    printf("setgid(0) as root: %d %s\n", r, en(errno));
    errno = 0;
    r = setresuid(-1, -1, -1);
    printf("setresuid(-1,-1,-1): %d %s\n", r, en(errno));
    errno = 0;
    r = setreuid(-1, -1);
    printf("setreuid(-1,-1): %d %s\n", r, en(errno));
    errno = 0;
    r = seteuid(0);
    printf("seteuid(0): %d %s\n", r, en(errno));
    printf("setfsuid(0) returns the old fsuid: %d\n", setfsuid(0));
    printf("setfsgid(0) returns the old fsgid: %d\n", setfsgid(0));
    show_ids("after no-op calls");

    int n = getgroups(0, NULL);
    printf("getgroups(0) count >= 0: %d\n", n >= 0);
    gid_t g[256];
    int m = getgroups(256, g);
    printf("getgroups(256) returns the same count: %d\n", m == n);
    if (n > 0) {
        errno = 0;
        r = getgroups(n - 1, g);
        printf("getgroups with a too-small list: %d %s\n", r, en(errno));
    } else {
        printf("getgroups with a too-small list: -1 EINVAL\n");
    }
    errno = 0;
    r = syscall(SYS_getgroups, -1, g);
    printf("getgroups(-1): %d %s\n", r, en(errno));
    errno = 0;
    r = syscall(SYS_getresuid, NULL, NULL, NULL);
    printf("getresuid(NULL...): %d %s\n", r, en(errno));

    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        show_ids("forked child");
        fflush(stdout);
        char *av[] = {argv[0], "--child", NULL};
        char *ev[] = {NULL};
        execve(argv[0], av, ev);
        _exit(127);
    }
    int st;
    waitpid(pid, &st, 0);
    printf("child status %d\n", WEXITSTATUS(st));
    return 0;
}

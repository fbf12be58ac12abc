// execve of a static ELF (this program re-executing itself): argv and envp
// arrive exactly, pid and parent survive the exec, the new image's exit
// status reaches the parent, and failing execve calls return the right errno
// while the caller keeps running.
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"


extern char **environ;

static int child_mode(int argc, char **argv) {
    printf("child: argc=%d\n", argc);
    for (int i = 1; i < argc; i++)
        printf("child: argv[%d]=\"%s\"\n", i, argv[i]);
    printf("child: argv[argc] is NULL: %d\n", argv[argc] == NULL);
    int n = 0;
    for (char **e = environ; *e; e++, n++)
        if (strncmp(*e, "EXPECT_", 7) != 0)
            printf("child: env \"%s\"\n", *e);
    printf("child: envc=%d\n", n);
    const char *p = getenv("EXPECT_PID"), *pp = getenv("EXPECT_PPID");
    if (p && pp) {
        printf("child: pid kept across exec: %d\n", atoi(p) == getpid());
        printf("child: ppid kept across exec: %d\n", atoi(pp) == getppid());
    }
    printf("child: getenv FOO=%s\n", getenv("FOO") ? getenv("FOO") : "(null)");
    fflush(stdout);
    return 42;
}

static long raw_execve(const char *path, char *const *av, char *const *ev) {
    return syscall(SYS_execve, path, av, ev);
}

static void try_exec(const char *what, const char *path, char *const *av, char *const *ev) {
    errno = 0;
    int r = raw_execve(path, av, ev);
    printf("%s: ret=%d errno=%s\n", what, r, en(errno));
}

int main(int argc, char **argv) {
    if (getenv("NULL_ARGV_CHILD")) {
        printf("null-argv child: argc=%d argv0_empty=%d argv1_null=%d\n", argc,
               argc > 0 && argv[0][0] == 0, argc > 0 && argv[1] == NULL);
        return 7;
    }
    if (argc > 1 && strcmp(argv[1], "--child") == 0)
        return child_mode(argc, argv);

    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        char p[32], pp[32];
        snprintf(p, sizeof p, "EXPECT_PID=%d", getpid());
        snprintf(pp, sizeof pp, "EXPECT_PPID=%d", getppid());
        char *av[] = {argv[0], "--child", "a b", "", "  spaced  ", "last", NULL};
        char *ev[] = {"FOO=bar", "EMPTY=", "NOEQUALS", "FOO=second", p, pp, NULL};
        execve(argv[0], av, ev);
        _exit(99);
    }
    int st;
    pid_t w = waitpid(pid, &st, 0);
    printf("wait returned child: %d\n", w == pid);
    printf("child exited normally: %d status=%d\n", WIFEXITED(st), WEXITSTATUS(st));

    // exec through a symlink to the program
    symlink(argv[0], "self-link");
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        char *av[] = {"self-link", "--child", NULL};
        char *ev[] = {"FOO=via-link", NULL};
        execve("./self-link", av, ev);
        _exit(99);
    }
    waitpid(pid, &st, 0);
    printf("via symlink: exited=%d status=%d\n", WIFEXITED(st), WEXITSTATUS(st));

    // NULL argv: Linux supplies an empty argv[0]
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        char *ev[] = {"NULL_ARGV_CHILD=1", NULL};
        raw_execve(argv[0], NULL, ev);
        _exit(99);
    }
    waitpid(pid, &st, 0);
    printf("null argv: exited=%d status=%d\n", WIFEXITED(st), WEXITSTATUS(st));
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        char *av[] = {NULL};
        char *ev[] = {"NULL_ARGV_CHILD=1", NULL};
        execve(argv[0], av, ev);
        _exit(99);
    }
    waitpid(pid, &st, 0);
    printf("empty argv: exited=%d status=%d\n", WIFEXITED(st), WEXITSTATUS(st));

    // failures: the caller keeps running and sees errno
    char *av[] = {"x", NULL};
    char *ev[] = {NULL};
    int fd = open("plain", O_CREAT | O_WRONLY, 0644);
    write(fd, "data\n", 5);
    close(fd);
    mkdir("dir", 0755);
    try_exec("missing file", "./no-such-file", av, ev);
    try_exec("missing dir component", "./no-dir/prog", av, ev);
    try_exec("file as dir", "./plain/prog", av, ev);
    try_exec("trailing slash on file", "./plain/", av, ev);
    try_exec("directory", "./dir", av, ev);
    try_exec("directory with slash", "dir/", av, ev);
    try_exec("not executable", "./plain", av, ev);
    try_exec("empty path", "", av, ev);
    try_exec("NULL path", NULL, av, ev);
    try_exec("bad argv pointer", argv[0], (char *const *)8, ev);
    try_exec("bad envp pointer", argv[0], av, (char *const *)8);
    char *badav[] = {"x", (char *)8, NULL};
    try_exec("bad argv string", argv[0], badav, ev);
    symlink("loop-b", "loop-a");
    symlink("loop-a", "loop-b");
    try_exec("symlink loop", "./loop-a", av, ev);
    symlink("no-such-target", "dangling");
    try_exec("dangling symlink", "./dangling", av, ev);
    static char longp[PATH_MAX + 10];
    memset(longp, 'a', sizeof longp - 1);
    try_exec("path too long", longp, av, ev);
    char longname[300];
    memset(longname, 'b', 299);
    longname[299] = 0;
    try_exec("component too long", longname, av, ev);
    chmod("plain", 0755);
    // A text file without #! is not a valid format.
    try_exec("executable text file", "./plain", av, ev);
    chmod("plain", 0000);
    try_exec("mode 000", "./plain", av, ev);
    printf("still running after failed execs: 1\n");
    return 0;
}

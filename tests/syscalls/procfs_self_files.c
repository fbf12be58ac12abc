// /proc/self/cmdline (NUL-separated argv, also after re-exec with chosen
// arguments), /proc/self/environ (the initial environment, unaffected by
// setenv; replaced by execve's envp), the exe link (equals the resolved
// argv[0]: compared, and the same inode), cwd (equals getcwd, follows chdir,
// and works as a path prefix), root, and readlink truncation.
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"

static char text[8192];

static int slurp(const char *path) {
    return slurp_into(path, text, sizeof text);
}

/* Prints a NUL-separated file with NULs shown as '|'. */
static void show_nul(const char *label, const char *path) {
    int n = slurp(path);
    if (n < 0) {
        printf("%s: %s\n", label, en(errno));
        return;
    }
    printf("%s (%d bytes): ", label, n);
    for (int i = 0; i < n; i++)
        putchar(text[i] ? text[i] : '|');
    putchar('\n');
}

static int child(void) {
    show_nul("child cmdline", "/proc/self/cmdline");
    show_nul("child environ", "/proc/self/environ");
    return 0;
}

int main(int argc, char **argv) {
    alarm(10);
    if (argc > 1 && strcmp(argv[1], "--child") == 0)
        return child();

    /* argv[0] is a path that differs between environments: compare only. */
    int n = slurp("/proc/self/cmdline");
    printf("cmdline is argv[0] plus NUL: %d\n", n == (int)strlen(argv[0]) + 1 && strcmp(text, argv[0]) == 0);
    show_nul("environ", "/proc/self/environ");
    setenv("ADDED", "1", 1);
    show_nul("environ after setenv", "/proc/self/environ");

    char exe[PATH_MAX] = {0}, real[PATH_MAX] = {0};
    ssize_t l = readlink("/proc/self/exe", exe, sizeof exe - 1);
    printf("readlink exe ok: %d\n", l > 0);
    printf("realpath(argv[0]) ok: %d\n", realpath(argv[0], real) != NULL);
    printf("exe equals realpath(argv[0]): %d\n", strcmp(exe, real) == 0);
    struct stat a, b;
    printf("stat via /proc/self/exe is the same file: %d\n",
           stat("/proc/self/exe", &a) == 0 && stat(argv[0], &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev);
    struct stat ls;
    lstat("/proc/self/exe", &ls);
    printf("lstat: symlink %d\n", S_ISLNK(ls.st_mode));
    char small[4] = {0};
    l = readlink("/proc/self/exe", small, 3);
    printf("readlink into 3 bytes: %zd, prefix matches %d\n", l, strncmp(small, exe, 3) == 0);

    char cwd[PATH_MAX], link[PATH_MAX];
    getcwd(cwd, sizeof cwd);
    l = readlink("/proc/self/cwd", link, sizeof link - 1);
    link[l > 0 ? l : 0] = 0;
    printf("cwd link equals getcwd: %d\n", strcmp(cwd, link) == 0);
    mkdir("sub", 0755);
    chdir("sub");
    l = readlink("/proc/self/cwd", link, sizeof link - 1);
    link[l > 0 ? l : 0] = 0;
    char want[PATH_MAX + 8];
    snprintf(want, sizeof want, "%s/sub", cwd);
    printf("cwd link after chdir(sub): %d\n", strcmp(want, link) == 0);
    int fd = open("inside", O_WRONLY | O_CREAT, 0644);
    write(fd, "through cwd", 11);
    close(fd);
    chdir("..");
    printf("open /proc/self/cwd/sub/inside: ");
    printf("%s\n", slurp("/proc/self/cwd/sub/inside") < 0 ? en(errno) : text);
    int dfd = open("sub", O_RDONLY | O_DIRECTORY);
    fchdir(dfd);
    l = readlink("/proc/self/cwd", link, sizeof link - 1);
    link[l > 0 ? l : 0] = 0;
    printf("cwd link after fchdir: %d\n", strcmp(want, link) == 0);
    chdir(cwd);
    l = readlink("/proc/self/root", link, sizeof link - 1);
    link[l > 0 ? l : 0] = 0;
    printf("root link: %s\n", link);
    struct stat r1, r2;
    printf("root link is /: %d\n", stat("/proc/self/root", &r1) == 0 && stat("/", &r2) == 0 &&
                                       r1.st_ino == r2.st_ino && r1.st_dev == r2.st_dev);
    report("readlink of a non-link", readlink("/proc/self/stat", link, sizeof link));
    report("readlink /proc/self/nonexistent", readlink("/proc/self/nonexistent", link, sizeof link));

    /* Re-exec with chosen argv and envp. */
    fflush(stdout);
    pid_t kid = fork();
    if (kid == 0) {
        char *args[] = {"chosen-argv0", "--child", "two words", "", "last", NULL};
        char *envs[] = {"A=1", "B=two", "EMPTY=", NULL};
        execve(argv[0], args, envs);
        _exit(127);
    }
    int st;
    waitpid(kid, &st, 0);
    printf("child exit %d\n", WEXITSTATUS(st));
    return 0;
}

// /proc/self/exe names the executable as the guest sees it: it equals
// realpath(argv[0]); after exec through a symlink it names the target; for a
// copy run from the scratch directory it is cwd + name, gets " (deleted)"
// once unlinked yet still opens; a memfd shows as /memfd:NAME (deleted).
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int read_exe(char *buf, size_t n) {
    ssize_t r = readlink("/proc/self/exe", buf, n - 1);
    if (r < 0) return -1;
    buf[r] = 0;
    return 0;
}

static int exe_magic_ok(void) {
    int fd = open("/proc/self/exe", O_RDONLY);
    if (fd < 0) return 0;
    char m[4] = {0};
    int ok = read(fd, m, 4) == 4 && memcmp(m, "\x7f" "ELF", 4) == 0;
    close(fd);
    return ok;
}

static void copy_file(const char *from, const char *to) {
    int in = open(from, O_RDONLY), out = open(to, O_CREAT | O_WRONLY | O_TRUNC, 0755);
    char buf[65536];
    ssize_t n;
    while ((n = read(in, buf, sizeof buf)) > 0) write(out, buf, n);
    close(in);
    close(out);
}

static int child(const char *mode) {
    char exe[PATH_MAX], cwd[PATH_MAX], want[PATH_MAX + 16];
    getcwd(cwd, sizeof cwd);
    int r = read_exe(exe, sizeof exe);
    if (!strcmp(mode, "copy")) {
        snprintf(want, sizeof want, "%s/copy", cwd);
        printf("copy: exe is cwd/copy: %d\n", r == 0 && strcmp(exe, want) == 0);
        unlink("copy");
        r = read_exe(exe, sizeof exe);
        snprintf(want, sizeof want, "%s/copy (deleted)", cwd);
        printf("copy: after unlink exe is 'cwd/copy (deleted)': %d\n", r == 0 && strcmp(exe, want) == 0);
        printf("copy: deleted exe still opens and reads ELF: %d\n", exe_magic_ok());
    } else if (!strcmp(mode, "link")) {
        snprintf(want, sizeof want, "%s/sub/target", cwd);
        printf("link: exe names the symlink's target: %d\n", r == 0 && strcmp(exe, want) == 0);
    } else if (!strcmp(mode, "dots")) {
        snprintf(want, sizeof want, "%s/sub/target", cwd);
        printf("dots: exe is canonical: %d\n", r == 0 && strcmp(exe, want) == 0);
    } else if (!strcmp(mode, "memfd")) {
        printf("memfd: exe=%s\n", r == 0 ? exe : strerror(errno));
        printf("memfd: exe opens and reads ELF: %d\n", exe_magic_ok());
    }
    fflush(stdout);
    return 0;
}

static void run(char *path, char *mode) {
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        char *av[] = {path, "--child", mode, NULL};
        char *ev[] = {NULL};
        execve(path, av, ev);
        printf("execve %s failed: %d\n", path, errno);
        _exit(127);
    }
    int st;
    waitpid(pid, &st, 0);
    printf("%s: exit status %d\n", mode, WEXITSTATUS(st));
}

int main(int argc, char **argv) {
    if (argc > 2 && !strcmp(argv[1], "--child"))
        return child(argv[2]);
    char exe[PATH_MAX], real[PATH_MAX];
    int r = read_exe(exe, sizeof exe);
    printf("readlink /proc/self/exe works: %d\n", r == 0);
    printf("exe equals realpath(argv[0]): %d\n", r == 0 && realpath(argv[0], real) && strcmp(exe, real) == 0);
    printf("exe is absolute: %d\n", r == 0 && exe[0] == '/');
    printf("/proc/self/exe opens and reads ELF: %d\n", exe_magic_ok());
    struct stat a, b;
    printf("stat(/proc/self/exe) is the same file as argv[0]: %d\n",
           stat("/proc/self/exe", &a) == 0 && stat(argv[0], &b) == 0 && a.st_ino == b.st_ino &&
               a.st_dev == b.st_dev);
    char small[4];
    ssize_t n = readlink("/proc/self/exe", small, sizeof small);
    printf("readlink into 4 bytes truncates: %zd\n", n);
    char lnk[64];
    snprintf(lnk, sizeof lnk, "/proc/%d/exe", getpid());
    printf("/proc/<pid>/exe matches /proc/self/exe: %d\n",
           (n = readlink(lnk, real, sizeof real - 1)) > 0 && (real[n] = 0, strcmp(real, exe) == 0));

    copy_file(argv[0], "copy");
    run("./copy", "copy");
    mkdir("sub", 0755);
    copy_file(argv[0], "sub/target");
    symlink("sub/target", "lnk");
    run("./lnk", "link");
    run("./sub/../sub/./target", "dots");
    unlink("sub/target");
    unlink("lnk");

    int mfd = memfd_create("ruml-exe", MFD_CLOEXEC);
    int in = open(argv[0], O_RDONLY);
    char buf[65536];
    while ((n = read(in, buf, sizeof buf)) > 0) write(mfd, buf, n);
    close(in);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        char *av[] = {"memfd-prog", "--child", "memfd", NULL};
        char *ev[] = {NULL};
        syscall(SYS_execveat, mfd, "", av, ev, AT_EMPTY_PATH);
        printf("execveat memfd failed: %d\n", errno);
        _exit(127);
    }
    int st;
    waitpid(pid, &st, 0);
    printf("memfd: exit status %d\n", WEXITSTATUS(st));
    return 0;
}

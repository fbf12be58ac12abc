// execveat and fexecve: paths relative to a directory descriptor, absolute
// paths ignoring it, AT_EMPTY_PATH on O_RDONLY/O_PATH/memfd descriptors,
// AT_SYMLINK_NOFOLLOW, the AT_EXECFN and comm each form produces, scripts run
// from descriptors (ENOENT when the descriptor is close-on-exec), and errors.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"


static const char *self;

static int child_mode(int argc, char **argv) {
    const char *fn = (const char *)getauxval(AT_EXECFN);
    char comm[17] = {0};
    prctl(PR_GET_NAME, comm);
    const char *selfp = getenv("SELF");
    if (fn && selfp && !strcmp(fn, selfp))
        fn = "(the absolute path given)";
    printf("  child: AT_EXECFN=%s comm=%s argc=%d", fn ? fn : "(null)", comm, argc);
    for (int i = 1; i < argc; i++) printf(" [%s]", argv[i]);
    printf("\n");
    fflush(stdout);
    return 0;
}

static void copy_file(const char *from, int out) {
    int in = open(from, O_RDONLY);
    char buf[65536];
    ssize_t n;
    while ((n = read(in, buf, sizeof buf)) > 0) write(out, buf, n);
    close(in);
}

static void run(const char *what, int dirfd, const char *path, int flags) {
    printf("%s:\n", what);
    fflush(stdout);
    int p[2];
    pipe2(p, O_CLOEXEC);
    pid_t pid = fork();
    if (pid == 0) {
        char *av[] = {"argv0", "--child", NULL};
        char selfenv[4200];
        snprintf(selfenv, sizeof selfenv, "SELF=%s", self);
        char *ev[] = {"MODE=child", selfenv, NULL};
        syscall(SYS_execveat, dirfd, path, av, ev, flags);
        exec_failed(p[1]);
    }
    int st;
    int e = exec_outcome(pid, p, &st);
    if (e)
        printf("  execveat failed: %s\n", en(e));
    else
        printf("  exit status %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

int main(int argc, char **argv) {
    const char *m = getenv("MODE");
    if (m && !strcmp(m, "child"))
        return child_mode(argc, argv);
    self = argv[0];
    mkdir("sub", 0755);
    int out = open("sub/prog", O_CREAT | O_WRONLY, 0755);
    copy_file(self, out);
    close(out);
    symlink("prog", "sub/link");
    int dfd = open("sub", O_RDONLY | O_DIRECTORY);
    printf("dirfd is 3: %d\n", dfd == 3);

    run("relative to a directory fd", dfd, "prog", 0);
    run("through a symlink relative to a directory fd", dfd, "link", 0);
    run("AT_SYMLINK_NOFOLLOW on a symlink", dfd, "link", AT_SYMLINK_NOFOLLOW);
    run("AT_SYMLINK_NOFOLLOW on a regular file", dfd, "prog", AT_SYMLINK_NOFOLLOW);
    run("AT_FDCWD relative", AT_FDCWD, "sub/prog", 0);
    run("absolute path ignores a bad dirfd", 999, self, 0);

    int fd = open("sub/prog", O_RDONLY);
    printf("program fd is 4: %d\n", fd == 4);
    run("AT_EMPTY_PATH on an O_RDONLY fd", fd, "", AT_EMPTY_PATH);
    close(fd);
    fd = open("sub/prog", O_PATH);
    run("AT_EMPTY_PATH on an O_PATH fd", fd, "", AT_EMPTY_PATH);
    close(fd);
    fd = open("sub/prog", O_RDONLY | O_CLOEXEC);
    run("AT_EMPTY_PATH on a close-on-exec fd (ELF still runs)", fd, "", AT_EMPTY_PATH);
    close(fd);
    fd = open("sub/prog", O_RDWR);
    run("AT_EMPTY_PATH on a writable fd", fd, "", AT_EMPTY_PATH);
    close(fd);

    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        int f = open("sub/prog", O_RDONLY);
        char *av[] = {"fexecve", "--child", "via-libc", NULL};
        char *ev[] = {"MODE=child", NULL};
        fexecve(f, av, ev);
        printf("  fexecve failed: %s\n", en(errno));
        _exit(127);
    }
    int st;
    waitpid(pid, &st, 0);
    printf("libc fexecve: exit status %d\n", WEXITSTATUS(st));

    int mfd = memfd_create("prog-in-memfd", 0);
    copy_file(self, mfd);
    run("AT_EMPTY_PATH on a memfd", mfd, "", AT_EMPTY_PATH);
    close(mfd);

    // Scripts from descriptors: the interpreter is handed /dev/fd/N, which
    // it cannot open when N is close-on-exec, so the kernel fails with ENOENT.
    char text[4200];
    snprintf(text, sizeof text, "#!%s\n", self);
    int sfd = open("sub/script", O_CREAT | O_WRONLY, 0755);
    write(sfd, text, strlen(text));
    close(sfd);
    sfd = open("sub/script", O_RDONLY);
    run("script via AT_EMPTY_PATH", sfd, "", AT_EMPTY_PATH);
    close(sfd);
    sfd = open("sub/script", O_RDONLY | O_CLOEXEC);
    run("script via AT_EMPTY_PATH on a close-on-exec fd", sfd, "", AT_EMPTY_PATH);
    close(sfd);
    run("script relative to a directory fd", dfd, "script", 0);
    int cdfd = open("sub", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    run("script relative to a close-on-exec directory fd", cdfd, "script", 0);
    close(cdfd);

    fd = open("sub/prog", O_RDONLY);
    run("empty path without AT_EMPTY_PATH", fd, "", 0);
    run("relative path on a non-directory fd", fd, "prog", 0);
    close(fd);
    run("AT_EMPTY_PATH on a directory fd", dfd, "", AT_EMPTY_PATH);
    run("AT_EMPTY_PATH on a closed fd", 999, "", AT_EMPTY_PATH);
    run("relative path on a closed fd", 999, "prog", 0);
    run("unknown flag", dfd, "prog", 0x4);
    run("missing name in directory", dfd, "nothing", 0);
    return 0;
}

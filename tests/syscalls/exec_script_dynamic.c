// difftest: dynamic
// A dynamically linked program copied into the cwd (so on a tmpfs in one
// ruml run) runs with its ELF interpreter from the root: by path, through a
// script in the cwd, through a descriptor and relative to a directory
// descriptor; the loader maps libc from the guest's root.
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"

static void copy_file(const char *from, const char *to) {
    int in = open(from, O_RDONLY), out = open(to, O_CREAT | O_WRONLY | O_TRUNC, 0755);
    char buf[65536];
    ssize_t n;
    while ((n = read(in, buf, sizeof buf)) > 0) write(out, buf, n);
    close(in);
    close(out);
}

static void run_at(const char *what, int dirfd, const char *path, int flags) {
    printf("%s:\n", what);
    fflush(stdout);
    int p[2];
    pipe2(p, O_CLOEXEC);
    pid_t pid = fork();
    if (pid == 0) {
        char *av[] = {"argv0", "x", NULL};
        char *ev[] = {"MODE=child", NULL};
        syscall(SYS_execveat, dirfd, path, av, ev, flags);
        exec_failed(p[1]);
    }
    int st;
    int e = exec_outcome(pid, p, &st);
    if (e)
        printf("  exec failed: %s\n", en(e));
    else
        printf("  exit status %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

int main(int argc, char **argv) {
    const char *m = getenv("MODE");
    if (m && strcmp(m, "child") == 0) {
        char *s = strdup("libc works");
        printf("  %s, interpreter mapped: %d, argc=%d, last argument %s\n", s,
               getauxval(AT_BASE) != 0, argc, argv[argc - 1]);
        return 4;
    }
    copy_file(argv[0], "prog");
    int fd = open("s", O_CREAT | O_WRONLY | O_TRUNC, 0755);
    write(fd, "#!./prog -a\n", 12);
    close(fd);
    run_at("copy by path", AT_FDCWD, "./prog", 0);
    run_at("script naming the copy", AT_FDCWD, "./s", 0);
    fd = open("prog", O_RDONLY);
    run_at("copy by descriptor", fd, "", AT_EMPTY_PATH);
    close(fd);
    fd = open(".", O_RDONLY | O_DIRECTORY);
    run_at("copy relative to a directory descriptor", fd, "prog", 0);
    run_at("script relative to a directory descriptor", fd, "s", 0);
    close(fd);
    return 0;
}

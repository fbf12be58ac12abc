// A /proc/self file opened before execve and read after it shows the new
// program, as Linux renders procfs files when they are read (the shell's
// `cmd < /proc/self/cmdline` opens the file in the child before executing
// cmd): cmdline, comm, status's Name; environ and maps, bound to the memory
// they were opened for, read empty; a file of another process (the
// parent's) keeps showing that process.
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"

static void show(const char *label, int fd, int nul_to_space) {
    char buf[4096];
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    if (n < 0) {
        printf("%s: read %s\n", label, en(errno));
        return;
    }
    buf[n] = 0;
    for (ssize_t i = 0; i < n; i++)
        if (buf[i] == 0 && nul_to_space)
            buf[i] = ' ';
    char *nl = strchr(buf, '\n');
    if (nl && !nul_to_space)
        *nl = 0;
    printf("%s: %s\n", label, buf);
}

int main(int argc, char **argv) {
    alarm(10);
    if (argc > 1 && strcmp(argv[1], "after") == 0) {
        char cl[4096];
        ssize_t cn = pread(3, cl, sizeof cl - 1, 0);
        cl[cn < 0 ? 0 : cn] = 0;
        int args = 0;
        for (ssize_t i = 0; i < cn; i++)
            args += cl[i] == 0;
        printf("cmdline: %d args, starts \"%s|%s|%s\"\n", args, cl, cl + strlen(cl) + 1,
               cl + strlen(cl) + 1 + strlen(cl + strlen(cl) + 1) + 1);
        show("comm", 4, 0);
        show("status first line", 5, 0);
        show("environ", 6, 1);
        char pc[4096];
        ssize_t k = pread(7, pc, sizeof pc - 1, 0);
        pc[k < 0 ? 0 : k] = 0;
        printf("parent's cmdline is the parent's argv[0]: %d\n", k > 0 && strcmp(pc, argv[3]) == 0);
        show("maps", 8, 0);
        /* Read sequentially too, from the descriptor's own offset. */
        char b[4096];
        ssize_t n = read(3, b, sizeof b);
        printf("sequential read of cmdline equals pread: %d\n", n == cn && memcmp(b, cl, n) == 0);
        return 0;
    }
    char parent[64];
    snprintf(parent, sizeof parent, "/proc/%d/cmdline", (int)getpid());
    fflush(stdout);
    pid_t c = fork();
    if (c == 0) {
        int fds[6];
        fds[0] = open("/proc/self/cmdline", O_RDONLY);
        fds[1] = open("/proc/self/comm", O_RDONLY);
        fds[2] = open("/proc/self/status", O_RDONLY);
        fds[3] = open("/proc/self/environ", O_RDONLY);
        fds[4] = open(parent, O_RDONLY);
        fds[5] = open("/proc/self/maps", O_RDONLY);
        for (int i = 0; i < 6; i++)
            if (fds[i] != 3 + i) {
                dup2(fds[i], 3 + i);
                close(fds[i]);
            }
        show("before exec: comm", 4, 0);
        fflush(stdout);
        char *args[] = {"renamed-program", "after", "extra arg", argv[0], NULL};
        char *env[] = {"ONLY=this", NULL};
        execve("/proc/self/exe", args, env);
        printf("execve failed\n");
        _exit(1);
    }
    int st;
    waitpid(c, &st, 0);
    printf("child status %d\n", WEXITSTATUS(st));
    return 0;
}

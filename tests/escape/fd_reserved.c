/* Finding 3 of the isolation issue: ruml kept a control socket at
 * descriptor 1023 in every guest process. fcntl((1<<32)|1023, F_DUPFD)
 * passed the filter's 64-bit compare, SCM_RIGHTS naming 1023 passed
 * sendmsg, and a process receiving on it got descriptors ruml installed
 * for others; a guest filling it froze the VM. A guest process must hold
 * no descriptor it did not open. */
#include "escape.h"
#include <fcntl.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
    /* Every descriptor beyond stdio, up to the hard limit. */
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    long top = rl.rlim_max > 65536 ? 65536 : (long)rl.rlim_max;
    int foreign = 0;
    for (long fd = 3; fd < top; fd++)
        if (fcntl((int)fd, F_GETFD) >= 0) {
            printf("open descriptor %ld\n", fd);
            foreign++;
        }
    report("foreign descriptors", foreign > 0, foreign ? "found" : "none");

    expect_fail("fcntl F_DUPFD of (1<<32)|1023",
                syscall(SYS_fcntl, (1UL << 32) | 1023, F_DUPFD, 10));
    struct stat st;
    expect_fail("fstat 1023", fstat(1023, &st));

    int sv[2];
    if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) != 0)
        return 1;
    char cbuf[CMSG_SPACE(sizeof(int))] = {0};
    char byte = 0;
    struct iovec iov = {&byte, 1};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
                       .msg_controllen = sizeof cbuf};
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    int target = 1023;
    memcpy(CMSG_DATA(c), &target, sizeof target);
    expect_fail("sendmsg SCM_RIGHTS of 1023", sendmsg(sv[0], &m, 0));
    struct mmsghdr mm = {.msg_hdr = m};
    expect_fail("sendmmsg SCM_RIGHTS of 1023", syscall(SYS_sendmmsg, sv[0], &mm, 1, 0));

    /* The guest's own socket at 1023 (the kernel takes the low 32 bits),
     * filled, then many opens ruml serves: the VM must not freeze. */
    if (syscall(SYS_dup2, sv[0], (1UL << 32) | 1023) == 1023) {
        while (send(1023, &byte, 1, MSG_DONTWAIT) == 1)
            ;
    }
    int ok = 0;
    for (int i = 0; i < 300; i++) {
        int fd = open("/proc/self/status", O_RDONLY);
        if (fd >= 0) {
            ok++;
            close(fd);
        }
    }
    report("opens after filling a socket at 1023", ok != 300,
           ok == 300 ? "all 300 served" : "some failed");
    return 0;
}

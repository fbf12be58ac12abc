// Ancillary data on AF_UNIX sockets: SCM_RIGHTS passes a file (same inode,
// shared offset), a pipe end and several fds at once, MSG_CMSG_CLOEXEC,
// MSG_CTRUNC when the control buffer is too small; SCM_CREDENTIALS with
// SO_PASSCRED reports the sender's pid/uid/gid (compared, not printed), and
// SO_PEERCRED on a socketpair names its creator.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"

static int send_fds(int s, const int *fds, int n, const char *data) {
    char cbuf[CMSG_SPACE(sizeof(int) * 8)];
    memset(cbuf, 0, sizeof cbuf);
    struct iovec iov = {(void *)data, strlen(data)};
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
                        .msg_controllen = CMSG_SPACE(sizeof(int) * n)};
    struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * n);
    memcpy(CMSG_DATA(c), fds, sizeof(int) * n);
    return sendmsg(s, &mh, 0);
}

/* Receives up to `max` fds with a control buffer of `cspace` bytes. */
static int recv_fds(int s, int *fds, int max, size_t cspace, int flags, int *mflags, char *data) {
    char cbuf[256];
    struct iovec iov = {data, 63};
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = cspace};
    ssize_t n = recvmsg(s, &mh, flags);
    if (n < 0)
        return -1;
    data[n] = 0;
    *mflags = mh.msg_flags;
    int got = 0;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
            int k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
            for (int i = 0; i < k && got < max; i++)
                memcpy(&fds[got++], CMSG_DATA(c) + i * sizeof(int), sizeof(int));
        }
    }
    return got;
}

int main(void) {
    alarm(10);
    int s[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, s);
    char data[64];
    int mflags;

    /* A regular file: the receiver shares the description (and its offset). */
    int f = open("passed.txt", O_RDWR | O_CREAT | O_TRUNC, 0644);
    write(f, "0123456789", 10);
    lseek(f, 2, SEEK_SET);
    report("sendmsg SCM_RIGHTS file", send_fds(s[0], &f, 1, "F"));
    int r[8];
    int got = recv_fds(s[1], r, 8, sizeof(char[256]), 0, &mflags, data);
    printf("received %d fd(s), data \"%s\", new number differs %d\n", got, data, got == 1 && r[0] != f);
    struct stat a, b;
    fstat(f, &a);
    fstat(r[0], &b);
    printf("same inode: %d, cloexec %d\n", a.st_ino == b.st_ino && a.st_dev == b.st_dev, fcntl(r[0], F_GETFD));
    char c3[4] = {0};
    read(r[0], c3, 3);
    printf("read via passed fd from shared offset: %s\n", c3);
    printf("original offset moved: %ld\n", (long)lseek(f, 0, SEEK_CUR));
    close(r[0]);

    /* A pipe write end, used by a child that received it. */
    int p[2];
    pipe(p);
    fflush(stdout);
    pid_t kid = fork();
    if (kid == 0) {
        close(p[0]);
        close(p[1]);
        int fd;
        char d[64];
        int mf;
        if (recv_fds(s[1], &fd, 1, 256, 0, &mf, d) != 1)
            _exit(1);
        if (write(fd, "via passed fd", 13) != 13)
            _exit(2);
        _exit(0);
    }
    report("send pipe write end", send_fds(s[0], &p[1], 1, "P"));
    close(p[1]);
    int st;
    waitpid(kid, &st, 0);
    printf("child exit %d\n", WEXITSTATUS(st));
    memset(data, 0, sizeof data);
    report("parent reads pipe", read(p[0], data, sizeof data - 1));
    printf("data: %s\n", data);
    report("EOF after child exit", read(p[0], data, 1));

    /* Three fds at once, with MSG_CMSG_CLOEXEC. */
    int three[3] = {f, p[0], s[0]};
    report("send 3 fds", send_fds(s[0], three, 3, "3"));
    got = recv_fds(s[1], r, 8, 256, MSG_CMSG_CLOEXEC, &mflags, data);
    printf("received %d, all cloexec %d\n", got,
           got == 3 && fcntl(r[0], F_GETFD) == 1 && fcntl(r[1], F_GETFD) == 1 && fcntl(r[2], F_GETFD) == 1);
    struct stat ps;
    fstat(r[1], &ps);
    int sock_type = 0;
    socklen_t sl = sizeof sock_type;
    getsockopt(r[2], SOL_SOCKET, SO_TYPE, &sock_type, &sl);
    printf("kinds: file %d fifo %d socket type %d\n", fstat(r[0], &b) == 0 && S_ISREG(b.st_mode),
           S_ISFIFO(ps.st_mode), sock_type);
    for (int i = 0; i < got; i++)
        close(r[i]);

    /* Control buffer with room for one fd only: MSG_CTRUNC, extra fds dropped. */
    report("send 3 fds again", send_fds(s[0], three, 3, "T"));
    got = recv_fds(s[1], r, 8, CMSG_SPACE(sizeof(int)), 0, &mflags, data);
    printf("small cbuf: got %d MSG_CTRUNC %d\n", got, (mflags & MSG_CTRUNC) != 0);
    for (int i = 0; i < got; i++)
        close(r[i]);

    /* Invalid fd in SCM_RIGHTS. */
    int bad = 999;
    report("send bad fd", send_fds(s[0], &bad, 1, "B"));

    /* Datagram socket passing. */
    int d[2];
    socketpair(AF_UNIX, SOCK_DGRAM, 0, d);
    report("dgram send fd", send_fds(d[0], &f, 1, "D"));
    got = recv_fds(d[1], r, 8, 256, 0, &mflags, data);
    printf("dgram received %d, data %s\n", got, data);
    close(d[0]);
    close(d[1]);

    /* SO_PEERCRED: the creator of the pair is this process. */
    struct ucred uc;
    socklen_t ul = sizeof uc;
    report("SO_PEERCRED", getsockopt(s[0], SOL_SOCKET, SO_PEERCRED, &uc, &ul));
    printf("peer pid == getpid %d uid %d gid %d\n", uc.pid == getpid(), uc.uid == getuid(), uc.gid == getgid());

    /* SCM_CREDENTIALS: a child sends; the receiver sees the child's pid. */
    int on = 1;
    report("SO_PASSCRED", setsockopt(s[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof on));
    fflush(stdout);
    kid = fork();
    if (kid == 0) {
        _exit(send(s[0], "cred", 4, 0) == 4 ? 0 : 1);
    }
    waitpid(kid, &st, 0);
    char cbuf[CMSG_SPACE(sizeof(struct ucred))];
    struct iovec iov = {data, 63};
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf};
    ssize_t n = recvmsg(s[1], &mh, 0);
    struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
    printf("recvmsg %zd, cmsg SCM_CREDENTIALS %d\n", n, cm && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_CREDENTIALS);
    if (cm) {
        memcpy(&uc, CMSG_DATA(cm), sizeof uc);
        printf("cred pid == child %d, uid == getuid %d, gid == getgid %d\n", uc.pid == kid, uc.uid == getuid(), uc.gid == getgid());
    }

    /* Explicit credentials: own pid accepted. */
    char sb[CMSG_SPACE(sizeof(struct ucred))];
    memset(sb, 0, sizeof sb);
    struct iovec siov = {"x", 1};
    struct msghdr sm = {.msg_iov = &siov, .msg_iovlen = 1, .msg_control = sb, .msg_controllen = sizeof sb};
    struct cmsghdr *sc = CMSG_FIRSTHDR(&sm);
    sc->cmsg_level = SOL_SOCKET;
    sc->cmsg_type = SCM_CREDENTIALS;
    sc->cmsg_len = CMSG_LEN(sizeof(struct ucred));
    struct ucred mine = {.pid = getpid(), .uid = getuid(), .gid = getgid()};
    memcpy(CMSG_DATA(sc), &mine, sizeof mine);
    report("sendmsg explicit own creds", sendmsg(s[0], &sm, 0));
    mh.msg_controllen = sizeof cbuf;
    n = recvmsg(s[1], &mh, 0);
    cm = CMSG_FIRSTHDR(&mh);
    if (cm) {
        memcpy(&uc, CMSG_DATA(cm), sizeof uc);
        printf("explicit: pid == getpid %d\n", uc.pid == getpid());
    }
    /* Without SO_PASSCRED nothing is attached. */
    on = 0;
    setsockopt(s[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof on);
    send(s[0], "y", 1, 0);
    mh.msg_controllen = sizeof cbuf;
    n = recvmsg(s[1], &mh, 0);
    printf("no SO_PASSCRED: %zd, controllen %zu\n", n, (size_t)mh.msg_controllen);
    return 0;
}

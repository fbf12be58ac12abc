// socketpair(AF_UNIX) for SOCK_STREAM, SOCK_DGRAM and SOCK_SEQPACKET: byte
// stream coalescing vs. preserved message boundaries, truncation (MSG_TRUNC
// in flags and as a recv flag), MSG_PEEK, MSG_DONTWAIT, MSG_WAITALL, shutdown
// and close (EOF, EPIPE), SOCK_NONBLOCK/SOCK_CLOEXEC, socket options and
// names, and the unsupported domains/types.
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"

static char buf[256];
static void rcv(int fd, size_t len, int flags, const char *what) {
    memset(buf, 0, sizeof buf);
    ssize_t n = recv(fd, buf, len, flags);
    if (n < 0)
        printf("%s: -1 %s\n", what, en(errno));
    else
        printf("%s: %zd \"%.*s\"\n", what, n, (int)(n < (ssize_t)len ? n : (ssize_t)len), buf);
}

static void opt(int fd, int o, const char *name) {
    int v = -1;
    socklen_t l = sizeof v;
    if (getsockopt(fd, SOL_SOCKET, o, &v, &l) < 0)
        printf("%s: -1 %s\n", name, en(errno));
    else
        printf("%s: %d (len %u)\n", name, v, l);
}

int main(void) {
    int s[2];
    alarm(10);
    signal(SIGPIPE, SIG_IGN);

    /* Stream. */
    report("socketpair STREAM", socketpair(AF_UNIX, SOCK_STREAM, 0, s));
    opt(s[0], SO_TYPE, "SO_TYPE");
    opt(s[0], SO_DOMAIN, "SO_DOMAIN");
    opt(s[0], SO_PROTOCOL, "SO_PROTOCOL");
    opt(s[0], SO_ACCEPTCONN, "SO_ACCEPTCONN");
    opt(s[0], SO_ERROR, "SO_ERROR");
    struct sockaddr_un a;
    socklen_t al = sizeof a;
    memset(&a, 0x55, sizeof a);
    report("getsockname", getsockname(s[0], (struct sockaddr *)&a, &al));
    printf("unnamed: family %d len %u\n", a.sun_family, al);
    al = sizeof a;
    report("getpeername", getpeername(s[0], (struct sockaddr *)&a, &al));
    printf("peer: family %d len %u\n", a.sun_family, al);

    report("send hello", send(s[0], "hello", 5, 0));
    report("send world", send(s[0], "world", 5, 0));
    int q = -1;
    ioctl(s[1], FIONREAD, &q);
    printf("FIONREAD: %d\n", q);
    rcv(s[1], 3, MSG_PEEK, "peek 3");
    rcv(s[1], 3, 0, "recv 3");
    rcv(s[1], sizeof buf, 0, "recv rest (coalesced)");
    rcv(s[1], sizeof buf, MSG_DONTWAIT, "recv MSG_DONTWAIT empty");
    report("write() works too", write(s[1], "back", 4));
    report("read()", read(s[0], buf, sizeof buf));
    report("shutdown SHUT_WR", shutdown(s[0], SHUT_WR));
    report("send after SHUT_WR", send(s[0], "x", 1, 0));
    rcv(s[1], sizeof buf, 0, "peer recv after SHUT_WR");
    report("other direction still works", send(s[1], "ok", 2, 0));
    rcv(s[0], sizeof buf, 0, "recv");
    report("shutdown bad how", shutdown(s[0], 7));
    close(s[1]);
    report("send to closed peer", send(s[0], "x", 1, 0));
    rcv(s[0], sizeof buf, 0, "recv from closed peer");
    close(s[0]);

    /* MSG_WAITALL gathers data from two sends by a child; another child
       exiting meanwhile sends an (ignored) SIGCHLD, which must not cut the
       wait short. */
    socketpair(AF_UNIX, SOCK_STREAM, 0, s);
    fflush(stdout);
    pid_t kid = fork();
    if (kid == 0) {
        send(s[1], "abc", 3, 0);
        usleep(100000);
        send(s[1], "defg", 4, 0);
        _exit(0);
    }
    pid_t quick = fork();
    if (quick == 0) {
        usleep(30000);
        _exit(0);
    }
    rcv(s[0], 7, MSG_WAITALL, "MSG_WAITALL 7");
    waitpid(kid, NULL, 0);
    waitpid(quick, NULL, 0);
    close(s[0]);
    close(s[1]);

    /* Datagram. */
    report("socketpair DGRAM", socketpair(AF_UNIX, SOCK_DGRAM, 0, s));
    opt(s[0], SO_TYPE, "SO_TYPE");
    send(s[0], "one", 3, 0);
    send(s[0], "three", 5, 0);
    send(s[0], "", 0, 0);
    send(s[0], "truncated-message", 17, 0);
    send(s[0], "real-length", 11, 0);
    ioctl(s[1], FIONREAD, &q);
    printf("FIONREAD (first datagram): %d\n", q);
    rcv(s[1], sizeof buf, 0, "dgram 1");
    rcv(s[1], sizeof buf, 0, "dgram 2");
    rcv(s[1], sizeof buf, 0, "dgram 3 (empty)");
    struct iovec iov = {buf, 9};
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
    ssize_t n = recvmsg(s[1], &mh, 0);
    printf("dgram 4 into 9 bytes: %zd MSG_TRUNC %d \"%.9s\"\n", n, (mh.msg_flags & MSG_TRUNC) != 0, buf);
    rcv(s[1], 4, MSG_TRUNC, "dgram 5 with MSG_TRUNC flag");
    rcv(s[1], sizeof buf, MSG_DONTWAIT, "dgram empty");
    close(s[1]);
    report("send to closed dgram peer", send(s[0], "x", 1, 0));
    close(s[0]);

    /* Seqpacket. */
    report("socketpair SEQPACKET", socketpair(AF_UNIX, SOCK_SEQPACKET, 0, s));
    opt(s[0], SO_TYPE, "SO_TYPE");
    send(s[0], "first", 5, 0);
    send(s[0], "second-long", 11, 0);
    rcv(s[1], sizeof buf, 0, "seq 1");
    mh.msg_flags = 0;
    iov.iov_len = 6;
    n = recvmsg(s[1], &mh, 0);
    printf("seq 2 into 6 bytes: %zd MSG_TRUNC %d\n", n, (mh.msg_flags & MSG_TRUNC) != 0);
    rcv(s[1], sizeof buf, MSG_DONTWAIT, "seq empty");
    close(s[0]);
    rcv(s[1], sizeof buf, 0, "seq after peer close");
    report("send to closed seq peer", send(s[1], "x", 1, 0));
    close(s[1]);

    /* Flags and unsupported combinations. */
    report("socketpair NONBLOCK|CLOEXEC", socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, s));
    printf("nonblock %d %d cloexec %d %d\n", (fcntl(s[0], F_GETFL) & O_NONBLOCK) != 0,
           (fcntl(s[1], F_GETFL) & O_NONBLOCK) != 0, fcntl(s[0], F_GETFD), fcntl(s[1], F_GETFD));
    rcv(s[0], 1, 0, "recv on nonblocking");
    close(s[0]);
    close(s[1]);
    report("socketpair AF_INET", socketpair(AF_INET, SOCK_STREAM, 0, s));
    report("socketpair AF_UNIX SOCK_RAW", socketpair(AF_UNIX, SOCK_RAW, 0, s));
    report("socketpair AF_UNIX protocol 1", socketpair(AF_UNIX, SOCK_STREAM, 1, s));
    report("socketpair bad domain", socketpair(12345, SOCK_STREAM, 0, s));
    report("socketpair bad type flag", socketpair(AF_UNIX, SOCK_STREAM | 0x100000, 0, s));
    return 0;
}

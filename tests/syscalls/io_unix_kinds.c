// AF_UNIX beyond byte streams: SOCK_SEQPACKET listeners (path and abstract)
// with message boundaries, MSG_TRUNC and EOF; SOCK_DGRAM sockets bound to
// paths (sender names, connected peers, EPERM to a socket connected
// elsewhere, EPROTOTYPE across types); abstract names (exact lengths,
// EADDRINUSE, freed on close); autobind (an abstract name of five hex
// digits, shape printed, not the name); SCM_CREDENTIALS with SO_PASSCRED
// (compared with getpid/getuid/getgid and a child's pid, not printed);
// SCM_RIGHTS with several descriptors, and MSG_CTRUNC when the control
// buffer holds fewer.
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"

#define FAM offsetof(struct sockaddr_un, sun_path)

/* An abstract address: sun_path[0] = 0, then name (no terminating NUL). */
static socklen_t abstract(struct sockaddr_un *a, const char *name) {
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    memcpy(a->sun_path + 1, name, strlen(name));
    return FAM + 1 + strlen(name);
}

static socklen_t pathaddr(struct sockaddr_un *a, const char *path) {
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    strcpy(a->sun_path, path);
    return FAM + strlen(path) + 1;
}

static void seqpacket(void) {
    printf("-- SOCK_SEQPACKET\n");
    struct sockaddr_un a;
    socklen_t al = pathaddr(&a, "seq.sock");
    int l = socket(AF_UNIX, SOCK_SEQPACKET, 0);
    report("bind seq.sock", bind(l, (struct sockaddr *)&a, al));
    report("accept before listen", accept(l, NULL, NULL));
    report("listen", listen(l, 4));
    int v = -1;
    socklen_t vl = sizeof v;
    getsockopt(l, SOL_SOCKET, SO_ACCEPTCONN, &v, &vl);
    printf("SO_ACCEPTCONN: %d\n", v);
    int st = socket(AF_UNIX, SOCK_STREAM, 0);
    report("SOCK_STREAM connect to the seqpacket listener", connect(st, (struct sockaddr *)&a, al));
    close(st);
    int c = socket(AF_UNIX, SOCK_SEQPACKET, 0);
    report("connect", connect(c, (struct sockaddr *)&a, al));
    struct sockaddr_un peer;
    socklen_t pl = sizeof peer;
    int s = accept(l, (struct sockaddr *)&peer, &pl);
    printf("accepted %d, unbound client's name length %u\n", s >= 0, pl);
    pl = sizeof peer;
    getpeername(c, (struct sockaddr *)&peer, &pl);
    printf("client's peer: %s (len %u)\n", peer.sun_path, pl);
    vl = sizeof v;
    getsockopt(s, SOL_SOCKET, SO_TYPE, &v, &vl);
    printf("accepted SO_TYPE is SOCK_SEQPACKET: %d\n", v == SOCK_SEQPACKET);
    struct ucred uc;
    socklen_t ul = sizeof uc;
    getsockopt(s, SOL_SOCKET, SO_PEERCRED, &uc, &ul);
    printf("SO_PEERCRED: pid is ours %d, uid %d, gid %d\n", uc.pid == getpid(), uc.uid == getuid(),
           uc.gid == getgid());

    char buf[32];
    send(c, "first", 5, 0);
    send(c, "second!", 7, 0);
    send(c, "", 0, 0);
    send(c, "fourth message", 14, 0);
    memset(buf, 0, sizeof buf);
    report("recv into 32", recv(s, buf, sizeof buf, 0));
    printf("got: %s\n", buf);
    memset(buf, 0, sizeof buf);
    report("recv into 3", recv(s, buf, 3, 0));
    printf("got: %s (rest discarded)\n", buf);
    report("recv the empty message", recv(s, buf, sizeof buf, MSG_DONTWAIT));
    struct iovec iov = {buf, 6};
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
    memset(buf, 0, sizeof buf);
    report("recvmsg MSG_TRUNC into 6", recvmsg(s, &mh, MSG_TRUNC));
    printf("got: %s, msg_flags MSG_TRUNC %d EOR %d\n", buf, (mh.msg_flags & MSG_TRUNC) != 0,
           (mh.msg_flags & MSG_EOR) != 0);
    report("recv MSG_DONTWAIT on empty", recv(s, buf, sizeof buf, MSG_DONTWAIT));
    send(s, "reply", 5, 0);
    report("client recv MSG_PEEK", recv(c, buf, 2, MSG_PEEK));
    report("client recv", recv(c, buf, sizeof buf, 0));
    report("sendto with an address on a connected seqpacket",
           sendto(c, "x", 1, 0, (struct sockaddr *)&a, al));
    close(s);
    report("recv after the peer closed", recv(c, buf, sizeof buf, 0));
    report("send after the peer closed", send(c, "x", 1, MSG_NOSIGNAL));
    close(c);

    /* Unaccepted connections: the client's data is lost with the listener. */
    c = socket(AF_UNIX, SOCK_SEQPACKET, 0);
    connect(c, (struct sockaddr *)&a, al);
    report("send to a not yet accepted connection", send(c, "queued", 6, 0));
    close(l);
    report("recv after the listener closed", recv(c, buf, sizeof buf, 0));
    close(c);
    unlink("seq.sock");
    c = socket(AF_UNIX, SOCK_SEQPACKET, 0);
    report("connect after unlink", connect(c, (struct sockaddr *)&a, al));
    report("send unconnected", send(c, "x", 1, MSG_NOSIGNAL));
    close(c);

    int sv[2];
    report("socketpair SOCK_SEQPACKET", socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv));
    send(sv[0], "ab", 2, 0);
    send(sv[0], "cde", 3, 0);
    report("recv one message of two", recv(sv[1], buf, sizeof buf, 0));
    report("recv MSG_TRUNC flag, 1-byte buffer", recv(sv[1], buf, 1, MSG_TRUNC));
    close(sv[0]);
    close(sv[1]);
}

static void dgram(void) {
    printf("-- SOCK_DGRAM bound to paths\n");
    struct sockaddr_un a, b, from;
    socklen_t al = pathaddr(&a, "a.sock"), bl = pathaddr(&b, "b.sock");
    int sa = socket(AF_UNIX, SOCK_DGRAM, 0), sb = socket(AF_UNIX, SOCK_DGRAM, 0);
    report("bind a.sock", bind(sa, (struct sockaddr *)&a, al));
    report("bind b.sock", bind(sb, (struct sockaddr *)&b, bl));
    report("bind a.sock again (another socket)", bind(socket(AF_UNIX, SOCK_DGRAM, 0), (struct sockaddr *)&a, al));
    report("rebind a bound socket", bind(sa, (struct sockaddr *)&b, bl));
    struct stat sst;
    stat("a.sock", &sst);
    printf("a.sock is a socket: %d\n", S_ISSOCK(sst.st_mode));
    char buf[32];
    report("b sendto a", sendto(sb, "from b", 6, 0, (struct sockaddr *)&a, al));
    memset(buf, 0, sizeof buf);
    socklen_t fl = sizeof from;
    report("a recvfrom", recvfrom(sa, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl));
    printf("got: %s, from %s (len %u)\n", buf, from.sun_path, fl);
    int anon = socket(AF_UNIX, SOCK_DGRAM, 0);
    report("unbound sendto a", sendto(anon, "anon", 4, 0, (struct sockaddr *)&a, al));
    fl = sizeof from;
    report("a recvfrom", recvfrom(sa, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl));
    printf("unbound sender's address length: %u\n", fl);
    report("sendto a missing path", sendto(sb, "x", 1, 0, (struct sockaddr *)&(struct sockaddr_un){AF_UNIX, "nope.sock"}, sizeof(struct sockaddr_un)));
    report("send unconnected", send(sb, "x", 1, 0));

    /* Connected: sb talks only to a. */
    report("connect b to a", connect(sb, (struct sockaddr *)&a, al));
    report("b send", send(sb, "connected", 9, 0));
    memset(buf, 0, sizeof buf);
    report("a recv", recv(sa, buf, sizeof buf, 0));
    printf("got: %s\n", buf);
    report("connect a to b", connect(sa, (struct sockaddr *)&b, bl));
    report("anon sendto a (connected to b)", sendto(anon, "x", 1, 0, (struct sockaddr *)&a, al));
    report("b send again", send(sb, "ok", 2, 0));
    report("a recv", recv(sa, buf, sizeof buf, MSG_DONTWAIT));
    report("a send to its peer", send(sa, "hi b", 4, 0));
    report("b recv", recv(sb, buf, sizeof buf, MSG_DONTWAIT));

    /* Type mismatch with a stream listener. */
    struct sockaddr_un st;
    socklen_t stl = pathaddr(&st, "stream.sock");
    int ls = socket(AF_UNIX, SOCK_STREAM, 0);
    bind(ls, (struct sockaddr *)&st, stl);
    listen(ls, 1);
    report("dgram sendto a stream socket's path", sendto(anon, "x", 1, 0, (struct sockaddr *)&st, stl));
    report("dgram connect to a stream socket's path", connect(anon, (struct sockaddr *)&st, stl));
    close(ls);

    /* The peer closes: a socket connected to it gets ECONNREFUSED. */
    close(sa);
    report("b send after a closed", send(sb, "x", 1, 0));
    report("b send again", send(sb, "x", 1, 0));
    close(sb);
    close(anon);
    unlink("a.sock");
    unlink("b.sock");
    unlink("stream.sock");

    /* A message bigger than the socket's send buffer. */
    int sv[2];
    socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
    int sz = 4096;
    setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
    static char big[65536];
    report("send 64 KiB with a 4 KiB SO_SNDBUF", send(sv[0], big, sizeof big, MSG_DONTWAIT));
    close(sv[0]);
    close(sv[1]);
}

static void abstract_names(void) {
    printf("-- abstract names\n");
    struct sockaddr_un a, got;
    socklen_t al = abstract(&a, "ruml-difftest");
    int s = socket(AF_UNIX, SOCK_DGRAM, 0);
    report("bind abstract", bind(s, (struct sockaddr *)&a, al));
    socklen_t gl = sizeof got;
    getsockname(s, (struct sockaddr *)&got, &gl);
    printf("getsockname len %u (bound with %u), sun_path[0] %d, name matches %d\n", gl, al, got.sun_path[0],
           gl == al && memcmp(&got, &a, al) == 0);
    int t = socket(AF_UNIX, SOCK_DGRAM, 0);
    report("bind the same abstract name", bind(t, (struct sockaddr *)&a, al));
    report("bind it as a stream socket", bind(socket(AF_UNIX, SOCK_STREAM, 0), (struct sockaddr *)&a, al));
    /* One more byte (a NUL) is a different name. */
    report("bind the name plus a NUL", bind(t, (struct sockaddr *)&a, al + 1));
    gl = sizeof got;
    getsockname(t, (struct sockaddr *)&got, &gl);
    printf("its getsockname len %u\n", gl);
    report("access(\"\\0...\") finds no file", access("ruml-difftest", F_OK));
    char buf[16] = {0};
    report("sendto the abstract name", sendto(t, "abs", 3, 0, (struct sockaddr *)&a, al));
    struct sockaddr_un from;
    socklen_t fl = sizeof from;
    report("recvfrom", recvfrom(s, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl));
    printf("got: %s, sender name len %u, is t's name %d\n", buf, fl, fl == al + 1 && from.sun_path[0] == 0 &&
           memcmp(from.sun_path + 1, "ruml-difftest", 13) == 0 && from.sun_path[14] == 0);
    close(s);
    s = socket(AF_UNIX, SOCK_DGRAM, 0);
    report("bind the name again after close", bind(s, (struct sockaddr *)&a, al));
    close(s);
    close(t);
    s = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un n;
    socklen_t nl = abstract(&n, "nobody-listens");
    report("connect to an unbound abstract name", connect(s, (struct sockaddr *)&n, nl));
    close(s);

    /* An abstract stream listener. */
    int l = socket(AF_UNIX, SOCK_STREAM, 0);
    al = abstract(&a, "ruml-listener");
    bind(l, (struct sockaddr *)&a, al);
    listen(l, 1);
    int c = socket(AF_UNIX, SOCK_STREAM, 0);
    report("connect to an abstract listener", connect(c, (struct sockaddr *)&a, al));
    gl = sizeof got;
    getpeername(c, (struct sockaddr *)&got, &gl);
    printf("getpeername len %u matches %d\n", gl, gl == al && memcmp(&got, &a, al) == 0);
    close(c);
    close(l);
}

static void show_autobound(const char *what, int s) {
    struct sockaddr_un a;
    socklen_t l = sizeof a;
    memset(&a, 0x55, sizeof a);
    getsockname(s, (struct sockaddr *)&a, &l);
    int hex = 1;
    for (unsigned i = 1; i < l - FAM; i++)
        hex &= (a.sun_path[i] >= '0' && a.sun_path[i] <= '9') || (a.sun_path[i] >= 'a' && a.sun_path[i] <= 'f');
    printf("%s: len %u, abstract %d, name length %u, all hex digits %d\n", what, l, a.sun_path[0] == 0,
           l - (unsigned)FAM - 1, hex);
}

static void autobind(void) {
    printf("-- autobind\n");
    int s = socket(AF_UNIX, SOCK_DGRAM, 0);
    struct sockaddr_un a;
    socklen_t l = sizeof a;
    getsockname(s, (struct sockaddr *)&a, &l);
    printf("unbound getsockname len %u\n", l);
    sa_family_t fam = AF_UNIX;
    report("bind with only sun_family", bind(s, (struct sockaddr *)&fam, sizeof fam));
    show_autobound("autobound", s);
    report("bind again", bind(s, (struct sockaddr *)&fam, sizeof fam));
    int t = socket(AF_UNIX, SOCK_DGRAM, 0);
    l = sizeof a;
    getsockname(s, (struct sockaddr *)&a, &l);
    report("bind another socket to the autobound name", bind(t, (struct sockaddr *)&a, l));
    /* A sender with SO_PASSCRED set is autobound when it sends. */
    int on = 1;
    setsockopt(t, SOL_SOCKET, SO_PASSCRED, &on, sizeof on);
    report("unbound SO_PASSCRED socket sendto", sendto(t, "x", 1, 0, (struct sockaddr *)&a, l));
    show_autobound("sender after sending with SO_PASSCRED", t);
    struct sockaddr_un from, tn;
    socklen_t fl = sizeof from, tl = sizeof tn;
    char c;
    recvfrom(s, &c, 1, 0, (struct sockaddr *)&from, &fl);
    getsockname(t, (struct sockaddr *)&tn, &tl);
    printf("receiver sees the sender's autobound name: %d\n", fl == tl && memcmp(&from, &tn, fl) == 0);
    close(s);
    close(t);
    /* A stream socket connecting with SO_PASSCRED is autobound too. */
    int l2 = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un la;
    socklen_t lal = abstract(&la, "ruml-passcred-listener");
    bind(l2, (struct sockaddr *)&la, lal);
    listen(l2, 1);
    int cs = socket(AF_UNIX, SOCK_STREAM, 0);
    setsockopt(cs, SOL_SOCKET, SO_PASSCRED, &on, sizeof on);
    connect(cs, (struct sockaddr *)&la, lal);
    show_autobound("stream client with SO_PASSCRED after connect", cs);
    close(cs);
    close(l2);
}

static void creds(void) {
    printf("-- SCM_CREDENTIALS\n");
    int sv[2];
    socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
    int on = 1;
    report("SO_PASSCRED", setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof on));
    int v = -1;
    socklen_t vl = sizeof v;
    getsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &v, &vl);
    printf("SO_PASSCRED reads back: %d\n", v);
    pid_t child = fork();
    if (child == 0) {
        send(sv[0], "kid", 3, 0);
        _exit(0);
    }
    waitpid(child, NULL, 0);
    send(sv[0], "me", 2, 0);
    /* Explicit credentials: our own are accepted. */
    struct ucred mine = {getpid(), getuid(), getgid()};
    char cb[CMSG_SPACE(sizeof(struct ucred))];
    memset(cb, 0, sizeof cb);
    struct iovec iov = {"explicit", 8};
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cb, .msg_controllen = sizeof cb};
    struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_CREDENTIALS;
    cm->cmsg_len = CMSG_LEN(sizeof mine);
    memcpy(CMSG_DATA(cm), &mine, sizeof mine);
    report("sendmsg with our own SCM_CREDENTIALS", sendmsg(sv[0], &mh, 0));
    for (int i = 0; i < 3; i++) {
        char buf[16] = {0}, rcb[CMSG_SPACE(sizeof(struct ucred)) + 16];
        struct iovec riov = {buf, sizeof buf - 1};
        struct msghdr rm = {.msg_iov = &riov, .msg_iovlen = 1, .msg_control = rcb, .msg_controllen = sizeof rcb};
        long n = recvmsg(sv[1], &rm, 0);
        struct cmsghdr *c = CMSG_FIRSTHDR(&rm);
        if (n < 0 || !c || c->cmsg_type != SCM_CREDENTIALS) {
            printf("recvmsg %ld: no credentials\n", n);
            continue;
        }
        struct ucred u;
        memcpy(&u, CMSG_DATA(c), sizeof u);
        pid_t want = strcmp(buf, "kid") == 0 ? child : getpid();
        printf("%s: cmsg_len %zu, pid %s, uid is getuid %d, gid is getgid %d\n", buf, (size_t)c->cmsg_len,
               u.pid == want ? (want == child ? "the child's" : "ours") : "other", u.uid == getuid(),
               u.gid == getgid());
    }
    /* Without SO_PASSCRED on the receiver, nothing is attached. */
    on = 0;
    setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof on);
    send(sv[0], "plain", 5, 0);
    char buf[16], rcb[64];
    struct iovec riov = {buf, sizeof buf};
    struct msghdr rm = {.msg_iov = &riov, .msg_iovlen = 1, .msg_control = rcb, .msg_controllen = sizeof rcb};
    recvmsg(sv[1], &rm, 0);
    printf("without SO_PASSCRED: msg_controllen %zu\n", (size_t)rm.msg_controllen);
    close(sv[0]);
    close(sv[1]);
}

static int nfds_open(void) {
    int n = 0;
    for (int fd = 0; fd < 64; fd++)
        n += fcntl(fd, F_GETFD) >= 0;
    return n;
}

static void rights(void) {
    printf("-- SCM_RIGHTS\n");
    int sv[2];
    socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv);
    int p[2];
    pipe(p);
    int ev = eventfd(7, 0);
    int fds[4] = {p[0], p[1], ev, sv[0]};
    char cb[CMSG_SPACE(sizeof fds)];
    memset(cb, 0, sizeof cb);
    struct iovec iov = {"four", 4};
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cb, .msg_controllen = sizeof cb};
    struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof fds);
    memcpy(CMSG_DATA(c), fds, sizeof fds);
    report("sendmsg 4 descriptors", sendmsg(sv[0], &mh, 0));
    report("sendmsg them again", sendmsg(sv[0], &mh, 0));

    int before = nfds_open();
    char buf[8] = {0}, rcb[CMSG_SPACE(sizeof fds)];
    struct iovec riov = {buf, sizeof buf};
    struct msghdr rm = {.msg_iov = &riov, .msg_iovlen = 1, .msg_control = rcb, .msg_controllen = sizeof rcb};
    report("recvmsg", recvmsg(sv[1], &rm, 0));
    c = CMSG_FIRSTHDR(&rm);
    int n = c ? (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int)) : 0;
    printf("got %d descriptors, msg_flags CTRUNC %d, new open fds %d\n", n, (rm.msg_flags & MSG_CTRUNC) != 0,
           nfds_open() - before);
    if (n == 4) {
        int r[4];
        memcpy(r, CMSG_DATA(c), sizeof r);
        write(r[1], "via", 3);
        char pb[4] = {0};
        read(p[0], pb, 3);
        printf("pipe write end works: %s\n", pb);
        unsigned long long cnt = 0;
        read(r[2], &cnt, sizeof cnt);
        printf("eventfd count through the copy: %llu\n", cnt);
        int ty = -1;
        socklen_t tl = sizeof ty;
        getsockopt(r[3], SOL_SOCKET, SO_TYPE, &ty, &tl);
        printf("passed socket is SOCK_SEQPACKET: %d\n", ty == SOCK_SEQPACKET);
        for (int i = 0; i < 4; i++) {
            struct stat a, b;
            fstat(r[i], &a);
            fstat(fds[i], &b);
            printf("  fd %d same inode as the original: %d\n", i, a.st_ino == b.st_ino && a.st_dev == b.st_dev);
            close(r[i]);
        }
    }

    /* CMSG_SPACE(sizeof(int)) holds two (padding): MSG_CTRUNC, the rest are closed. */
    before = nfds_open();
    char small[CMSG_SPACE(sizeof(int))];
    rm.msg_control = small;
    rm.msg_controllen = sizeof small;
    rm.msg_flags = 0;
    report("recvmsg with a CMSG_SPACE(sizeof(int)) buffer", recvmsg(sv[1], &rm, 0));
    c = CMSG_FIRSTHDR(&rm);
    n = c ? (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int)) : 0;
    printf("got %d descriptors, msg_flags CTRUNC %d, new open fds %d\n", n, (rm.msg_flags & MSG_CTRUNC) != 0,
           nfds_open() - before);
    for (int i = 0; i < n && i < 2; i++) {
        int r;
        memcpy(&r, CMSG_DATA(c) + i * sizeof r, sizeof r);
        close(r);
    }

    /* No control buffer at all. */
    report("sendmsg again", sendmsg(sv[0], &mh, 0));
    before = nfds_open();
    rm.msg_control = NULL;
    rm.msg_controllen = 0;
    rm.msg_flags = 0;
    report("recvmsg without a control buffer", recvmsg(sv[1], &rm, 0));
    printf("msg_flags CTRUNC %d, new open fds %d\n", (rm.msg_flags & MSG_CTRUNC) != 0, nfds_open() - before);

    /* A bad descriptor in the array fails the whole send. */
    int bad[2] = {p[0], 999};
    c = CMSG_FIRSTHDR(&mh);
    c->cmsg_len = CMSG_LEN(sizeof bad);
    mh.msg_controllen = CMSG_SPACE(sizeof bad);
    memcpy(CMSG_DATA(c), bad, sizeof bad);
    report("sendmsg with a bad descriptor", sendmsg(sv[0], &mh, 0));
    report("nothing was queued", recv(sv[1], buf, sizeof buf, MSG_DONTWAIT));
    close(p[0]);
    close(p[1]);
    close(ev);
    close(sv[0]);
    close(sv[1]);
}

int main(void) {
    alarm(20);
    seqpacket();
    dgram();
    abstract_names();
    autobind();
    creds();
    rights();
    return 0;
}

// Unix domain sockets bound to paths in the scratch dir: the socket file
// (S_IFSOCK, umask applied), connect/accept/send/recv, getsockname/getpeername
// paths, EADDRINUSE for existing names, ECONNREFUSED without a listener,
// ENOENT after unlink, connecting through a symlink, datagram sendto by path.
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
#include <signal.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "common.h"

static socklen_t addr(struct sockaddr_un *a, const char *p) {
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    strcpy(a->sun_path, p);
    return offsetof(struct sockaddr_un, sun_path) + strlen(p) + 1;
}

#define SA(a) ((struct sockaddr *)&(a))

int main(void) {
    alarm(10);
    signal(SIGPIPE, SIG_IGN);
    umask(022);
    struct sockaddr_un a, b;
    memset(&b, 0, sizeof b);
    socklen_t len;
    int srv = socket(AF_UNIX, SOCK_STREAM, 0);
    len = addr(&a, "srv.sock");
    T(bind(srv, SA(a), len));
    struct stat s = {0};
    T(stat("srv.sock", &s));
    printf("socket file: S_ISSOCK %d mode %04o size %lld\n", S_ISSOCK(s.st_mode), (unsigned)(s.st_mode & 07777),
           (long long)s.st_size);
    T(open("srv.sock", O_RDONLY));
    T(open("srv.sock", O_PATH));
    /* not listening yet */
    int c = socket(AF_UNIX, SOCK_STREAM, 0);
    T(connect(c, SA(a), len));
    T(listen(srv, 5));
    T(connect(c, SA(a), len));
    int acc;
    T(acc = accept(srv, NULL, NULL));
    T(send(c, "ping", 4, 0));
    char buf[64] = {0};
    V(recv(acc, buf, sizeof buf, 0));
    printf("server got: %s\n", buf);
    T(send(acc, "pong", 4, 0));
    memset(buf, 0, sizeof buf);
    V(recv(c, buf, sizeof buf, 0));
    printf("client got: %s\n", buf);
    len = sizeof b;
    memset(&b, 0, sizeof b);
    T(getsockname(srv, SA(b), &len));
    printf("getsockname: %s len matches %d\n", b.sun_path, len == offsetof(struct sockaddr_un, sun_path) + 9);
    len = sizeof b;
    memset(&b, 0, sizeof b);
    T(getpeername(c, SA(b), &len));
    printf("getpeername: %s\n", b.sun_path);
    len = sizeof b;
    T(getsockname(c, SA(b), &len));
    printf("client unbound: len %u\n", (unsigned)len);
    close(acc);
    V(recv(c, buf, sizeof buf, 0));
    T(send(c, "x", 1, 0));
    close(c);

    /* names already in use */
    int t = socket(AF_UNIX, SOCK_STREAM, 0);
    T(bind(t, SA(a), addr(&a, "srv.sock")));
    int fd = open("file", O_CREAT | O_WRONLY, 0644);
    close(fd);
    T(bind(t, SA(a), addr(&a, "file")));
    T(symlink("newname.sock", "link.sock"));
    T(bind(t, SA(a), addr(&a, "link.sock")));
    T(bind(t, SA(a), addr(&a, "missing/x.sock")));
    T(bind(t, SA(a), addr(&a, "file/x.sock")));
    T(mkdir("d", 0755));
    T(bind(t, SA(a), addr(&a, "d/in.sock")));
    T(bind(t, SA(a), addr(&a, "d/again.sock")));
    close(t);
    T(stat("d/in.sock", &s));
    /* connecting through a symlink, to a regular file, to nothing */
    T(symlink("srv.sock", "tosrv"));
    c = socket(AF_UNIX, SOCK_STREAM, 0);
    T(connect(c, SA(a), addr(&a, "tosrv")));
    T(acc = accept(srv, NULL, NULL));
    close(acc);
    close(c);
    c = socket(AF_UNIX, SOCK_STREAM, 0);
    T(connect(c, SA(a), addr(&a, "file")));
    T(connect(c, SA(a), addr(&a, "nothing")));
    T(connect(c, SA(a), addr(&a, "d")));
    T(connect(c, SA(a), addr(&a, "d/in.sock")));
    close(c);
    /* a datagram socket: wrong type for the stream server */
    int dg = socket(AF_UNIX, SOCK_DGRAM, 0);
    T(connect(dg, SA(a), addr(&a, "srv.sock")));
    close(dg);
    /* after unlink, the name is gone but the listener lives on */
    T(unlink("srv.sock"));
    c = socket(AF_UNIX, SOCK_STREAM, 0);
    T(connect(c, SA(a), addr(&a, "srv.sock")));
    close(c);
    /* and the name can be bound again */
    int srv2 = socket(AF_UNIX, SOCK_STREAM, 0);
    T(bind(srv2, SA(a), addr(&a, "srv.sock")));
    T(listen(srv2, 1));
    c = socket(AF_UNIX, SOCK_STREAM, 0);
    T(connect(c, SA(a), addr(&a, "srv.sock")));
    close(c);
    close(srv2);
    close(srv);

    /* datagrams by path */
    int r = socket(AF_UNIX, SOCK_DGRAM, 0);
    T(bind(r, SA(a), addr(&a, "dgram.sock")));
    int sd = socket(AF_UNIX, SOCK_DGRAM, 0);
    T(bind(sd, SA(b), addr(&b, "sender.sock")));
    T(sendto(sd, "dg1", 3, 0, SA(a), addr(&a, "dgram.sock")));
    struct sockaddr_un from;
    memset(&from, 0, sizeof from);
    socklen_t fl = sizeof from;
    memset(buf, 0, sizeof buf);
    V(recvfrom(r, buf, sizeof buf, MSG_DONTWAIT, SA(from), &fl));
    printf("datagram: %s from %s\n", buf, from.sun_path);
    T(sendto(sd, "dg2", 3, 0, SA(a), addr(&a, "nothing.sock")));
    T(sendto(sd, "dg3", 3, 0, SA(a), addr(&a, "file")));
    /* relative to the cwd at bind time: chdir and bind a relative name */
    T(chdir("d"));
    int rel = socket(AF_UNIX, SOCK_DGRAM, 0);
    T(bind(rel, SA(a), addr(&a, "rel.sock")));
    T(chdir(".."));
    T(stat("d/rel.sock", &s));
    T(sendto(sd, "dg4", 3, 0, SA(a), addr(&a, "d/rel.sock")));
    memset(buf, 0, sizeof buf);
    V(recv(rel, buf, sizeof buf, MSG_DONTWAIT));
    printf("relative-bound got: %s\n", buf);
    /* too long a path */
    memset(&a, 0, sizeof a);
    a.sun_family = AF_UNIX;
    memset(a.sun_path, 'x', sizeof a.sun_path);
    T(bind(rel, SA(a), sizeof a + 1));
    return 0;
}

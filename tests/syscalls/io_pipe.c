// pipe and pipe2: descriptor flags (O_CLOEXEC, O_NONBLOCK, O_DIRECT packet
// mode), access modes of the two ends, EOF only after every writer is gone,
// EPIPE/SIGPIPE without readers, ESPIPE/EBADF misuse, FIONREAD and fstat.
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"

int main(void) {
    int p[2], q[2], r[2];
    char buf[64];
    alarm(10);

    report("pipe", pipe(p));
    printf("read end mode O_RDONLY: %d\n", (fcntl(p[0], F_GETFL) & O_ACCMODE) == O_RDONLY);
    printf("write end mode O_WRONLY: %d\n", (fcntl(p[1], F_GETFL) & O_ACCMODE) == O_WRONLY);
    printf("pipe fd flags: %d %d\n", fcntl(p[0], F_GETFD), fcntl(p[1], F_GETFD));
    printf("pipe O_NONBLOCK: %d\n", (fcntl(p[0], F_GETFL) & O_NONBLOCK) != 0);
    struct stat st;
    report("fstat read end", fstat(p[0], &st));
    printf("S_ISFIFO: %d\n", S_ISFIFO(st.st_mode));
    int ino0 = st.st_ino;
    fstat(p[1], &st);
    printf("both ends same inode: %d\n", (int)st.st_ino == ino0);

    report("write hello", write(p[1], "hello", 5));
    int n = -1;
    report("FIONREAD", ioctl(p[0], FIONREAD, &n));
    printf("FIONREAD count: %d\n", n);
    report("read 64", read(p[0], buf, sizeof buf));
    report("read on write end", read(p[1], buf, 1));
    report("write on read end", write(p[0], "x", 1));
    report("lseek on pipe", lseek(p[0], 0, SEEK_SET));
    report("pread on pipe", pread(p[0], buf, 1, 0));

    /* EOF only once every write end is closed. */
    int d = dup(p[1]);
    close(p[1]);
    fcntl(p[0], F_SETFL, O_NONBLOCK);
    report("read with a dup'd writer open", read(p[0], buf, 1));
    close(d);
    report("read after last writer closed", read(p[0], buf, 1));
    close(p[0]);

    report("pipe2 O_CLOEXEC", pipe2(q, O_CLOEXEC));
    printf("cloexec on both: %d %d\n", fcntl(q[0], F_GETFD) == FD_CLOEXEC,
           fcntl(q[1], F_GETFD) == FD_CLOEXEC);
    printf("O_NONBLOCK off: %d\n", (fcntl(q[0], F_GETFL) & O_NONBLOCK) == 0);
    close(q[0]);
    close(q[1]);

    report("pipe2 O_NONBLOCK", pipe2(q, O_NONBLOCK));
    printf("O_NONBLOCK on both: %d %d\n", (fcntl(q[0], F_GETFL) & O_NONBLOCK) != 0,
           (fcntl(q[1], F_GETFL) & O_NONBLOCK) != 0);
    printf("cloexec off: %d\n", fcntl(q[0], F_GETFD));
    report("nonblocking read of empty pipe", read(q[0], buf, 1));
    close(q[0]);
    close(q[1]);

    report("pipe2 O_APPEND (invalid)", pipe2(q, O_APPEND));
    report("pipe2 NULL", syscall(SYS_pipe2, NULL, 0));

    /* Packet mode: each write is one packet; a short read drops the rest. */
    report("pipe2 O_DIRECT", pipe2(q, O_DIRECT));
    report("write 12345", write(q[1], "12345", 5));
    report("write 678", write(q[1], "678", 3));
    report("read 2 of packet 1", read(q[0], buf, 2));
    report("read next packet", read(q[0], buf, sizeof buf));
    printf("packet data: %.3s\n", buf);
    close(q[0]);
    close(q[1]);

    /* Without O_DIRECT the same writes form one byte stream. */
    pipe(q);
    report("stream write 12345", write(q[1], "12345", 5));
    report("stream write 678", write(q[1], "678", 3));
    memset(buf, 0, sizeof buf);
    report("stream read all", read(q[0], buf, sizeof buf));
    printf("stream data: %s\n", buf);

    /* A child inherits the write end; EOF comes when it exits. */
    fflush(stdout);
    pid_t c = fork();
    if (c == 0) {
        close(q[0]);
        if (write(q[1], "from child", 10) != 10)
            _exit(1);
        _exit(0);
    }
    close(q[1]);
    memset(buf, 0, sizeof buf);
    int total = 0, k;
    while ((k = read(q[0], buf + total, sizeof buf - 1 - total)) > 0)
        total += k;
    printf("read from child: %s (%d bytes, last read %d)\n", buf, total, k);
    int status;
    printf("waitpid matches child: %d\n", waitpid(c, &status, 0) == c);
    printf("child exit: %d\n", WEXITSTATUS(status));
    close(q[0]);

    /* No readers: SIGPIPE kills by default; ignored gives EPIPE. */
    pipe(r);
    close(r[0]);
    fflush(stdout);
    c = fork();
    if (c == 0) {
        signal(SIGPIPE, SIG_DFL);
        if (write(r[1], "x", 1) < 0)
            _exit(3);
        _exit(4);
    }
    waitpid(c, &status, 0);
    printf("child killed by SIGPIPE: %d\n", WIFSIGNALED(status) && WTERMSIG(status) == SIGPIPE);
    signal(SIGPIPE, SIG_IGN);
    report("write without readers (SIGPIPE ignored)", write(r[1], "x", 1));
    close(r[1]);

    report("close closed fd", close(r[1]));
    return 0;
}

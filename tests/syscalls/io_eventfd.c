// eventfd: counter semantics (writes add, read returns and resets), initial
// value, EFD_SEMAPHORE (reads return 1), EFD_NONBLOCK EAGAIN on zero and on
// overflow, the 0xffffffffffffffff EINVAL, short buffers, flags, poll states,
// and a blocking read woken by a child.
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"

static void rd(int fd, const char *what) {
    uint64_t v = 0;
    ssize_t n = read(fd, &v, sizeof v);
    if (n < 0)
        printf("%s: -1 %s\n", what, en(errno));
    else
        printf("%s: %zd value %llu\n", what, n, (unsigned long long)v);
}

static void wr(int fd, uint64_t v, const char *what) { report(what, write(fd, &v, sizeof v)); }

static void pl(int fd, const char *what) {
    struct pollfd f = {.fd = fd, .events = POLLIN | POLLOUT};
    int n = poll(&f, 1, 0);
    printf("%s: poll %d revents %#x\n", what, n, f.revents);
}

int main(void) {
    alarm(10);
    int fd = eventfd(5, EFD_NONBLOCK);
    printf("O_NONBLOCK set: %d, cloexec: %d, O_RDWR: %d\n", (fcntl(fd, F_GETFL) & O_NONBLOCK) != 0,
           fcntl(fd, F_GETFD), (fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDWR);
    pl(fd, "initval 5");
    rd(fd, "read");
    rd(fd, "read at zero");
    pl(fd, "zero");
    wr(fd, 3, "write 3");
    wr(fd, 4, "write 4");
    rd(fd, "read sum");
    wr(fd, 0, "write 0");
    rd(fd, "read after writing 0");
    wr(fd, UINT64_MAX, "write UINT64_MAX");
    wr(fd, UINT64_MAX - 1, "write max counter");
    pl(fd, "at max");
    wr(fd, 1, "write 1 at max");
    rd(fd, "read max");
    wr(fd, UINT64_MAX - 2, "write max-1");
    wr(fd, 1, "write 1 (reaches max)");
    wr(fd, 1, "write 1 more");
    rd(fd, "read");

    uint32_t small = 1;
    report("read 4 bytes", read(fd, &small, 4));
    report("write 4 bytes", write(fd, &small, 4));
    uint64_t big[2] = {9, 9};
    report("write 16 bytes", write(fd, big, 16));
    rd(fd, "after the 16-byte write");
    report("read 16 bytes at zero", read(fd, big, 16));
    wr(fd, 2, "write 2");
    report("read into 16 bytes", read(fd, big, 16));
    printf("value %llu\n", (unsigned long long)big[0]);
    report("lseek", lseek(fd, 0, SEEK_SET));
    close(fd);

    int sem = eventfd(3, EFD_SEMAPHORE | EFD_NONBLOCK);
    rd(sem, "sem read 1");
    rd(sem, "sem read 2");
    wr(sem, 2, "sem write 2");
    rd(sem, "sem read 3");
    rd(sem, "sem read 4");
    rd(sem, "sem read 5");
    rd(sem, "sem read 6 (empty)");
    close(sem);

    int c = eventfd(0, EFD_CLOEXEC);
    printf("EFD_CLOEXEC: %d, blocking: %d\n", fcntl(c, F_GETFD), (fcntl(c, F_GETFL) & O_NONBLOCK) == 0);
    report("eventfd2 bad flags", syscall(SYS_eventfd2, 0, 0x1234));
    report("eventfd2 O_APPEND flag", syscall(SYS_eventfd2, 0, O_APPEND));

    /* Blocking read woken by a child's write. */
    fflush(stdout);
    pid_t kid = fork();
    if (kid == 0) {
        usleep(20000);
        uint64_t v = 11;
        _exit(write(c, &v, 8) == 8 ? 0 : 1);
    }
    rd(c, "blocking read");
    int st;
    printf("child ok: %d\n", waitpid(kid, &st, 0) == kid && WIFEXITED(st) && WEXITSTATUS(st) == 0);

    /* A blocked writer is woken by a read. */
    uint64_t v = UINT64_MAX - 1;
    write(c, &v, 8);
    fflush(stdout);
    kid = fork();
    if (kid == 0) {
        uint64_t one = 1;
        _exit(write(c, &one, 8) == 8 ? 0 : 1); /* blocks until the parent reads */
    }
    usleep(20000);
    rd(c, "read to unblock writer");
    printf("writer ok: %d\n", waitpid(kid, &st, 0) == kid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
    fcntl(c, F_SETFL, O_NONBLOCK);
    rd(c, "value written by the unblocked writer");

    eventfd_t ev;
    report("eventfd_write 6", eventfd_write(c, 6));
    report("eventfd_read", eventfd_read(c, &ev));
    printf("eventfd_read value %llu\n", (unsigned long long)ev);
    report("eventfd_read at zero", eventfd_read(c, &ev));
    return 0;
}

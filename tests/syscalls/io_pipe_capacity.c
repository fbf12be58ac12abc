// Pipe capacity and atomicity: F_GETPIPE_SZ/F_SETPIPE_SZ (rounding, EBUSY
// when shrinking below the queued data), a non-blocking writer fills exactly
// the capacity then gets EAGAIN, partial writes above PIPE_BUF, and writes of
// PIPE_BUF bytes from concurrent writers are never interleaved.
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"

static char big[1 << 20];

int main(void) {
    int p[2];
    alarm(20);
    printf("PIPE_BUF: %d\n", PIPE_BUF);
    pipe(p);
    report("F_GETPIPE_SZ default", fcntl(p[1], F_GETPIPE_SZ));
    report("F_SETPIPE_SZ 4096", fcntl(p[1], F_SETPIPE_SZ, 4096));
    report("F_GETPIPE_SZ", fcntl(p[0], F_GETPIPE_SZ));
    report("F_SETPIPE_SZ 5000 (rounds up)", fcntl(p[1], F_SETPIPE_SZ, 5000));
    report("F_SETPIPE_SZ 1 (rounds to a page)", fcntl(p[1], F_SETPIPE_SZ, 1));
    report("F_SETPIPE_SZ 65536", fcntl(p[1], F_SETPIPE_SZ, 65536));
    report("F_SETPIPE_SZ -1", fcntl(p[1], F_SETPIPE_SZ, -1));
    report("F_GETPIPE_SZ on a directory", fcntl(open(".", O_RDONLY), F_GETPIPE_SZ));

    /* Fill with non-blocking 1000-byte writes: total equals the capacity. */
    fcntl(p[1], F_SETFL, O_NONBLOCK);
    memset(big, 'a', sizeof big);
    long total = 0;
    ssize_t n;
    int writes = 0;
    while ((n = write(p[1], big, 1000)) > 0) {
        total += n;
        writes++;
    }
    printf("filled: %ld bytes in %d writes, last write %s\n", total, writes,
           n < 0 ? en(errno) : "0");
    report("1-byte write when full", write(p[1], "x", 1));
    report("F_SETPIPE_SZ 4096 with 64K queued", fcntl(p[1], F_SETPIPE_SZ, 4096));

    /* Drain one page: a write of PIPE_BUF bytes fits again, a larger one is partial. */
    report("read 4096", read(p[0], big, 4096));
    report("nonblocking write 8192 with one free slot", write(p[1], big, 8192));
    report("nonblocking write 4096 when full", write(p[1], big, 4096));
    fcntl(p[0], F_SETFL, O_NONBLOCK);
    total = 0;
    while ((n = read(p[0], big, sizeof big)) > 0)
        total += n;
    printf("drained: %ld\n", total);
    close(p[0]);
    close(p[1]);

    /* Atomic records: 4 writers x 64 records of PIPE_BUF bytes each. */
    pipe(p);
    enum { W = 4, RECS = 64 };
    pid_t kids[W];
    fflush(stdout);
    for (int w = 0; w < W; w++) {
        kids[w] = fork();
        if (kids[w] == 0) {
            char rec[PIPE_BUF];
            memset(rec, 'A' + w, sizeof rec);
            close(p[0]);
            for (int i = 0; i < RECS; i++)
                if (write(p[1], rec, sizeof rec) != sizeof rec)
                    _exit(1);
            _exit(0);
        }
    }
    close(p[1]);
    static char all[W * RECS * PIPE_BUF + 1];
    total = 0;
    while ((n = read(p[0], all + total, sizeof all - total)) > 0)
        total += n;
    int counts[W] = {0}, mixed = 0;
    for (long off = 0; off + PIPE_BUF <= total; off += PIPE_BUF) {
        char c = all[off];
        for (int i = 1; i < PIPE_BUF; i++)
            if (all[off + i] != c) {
                mixed++;
                break;
            }
        if (c >= 'A' && c < 'A' + W)
            counts[c - 'A']++;
    }
    printf("received %ld bytes, interleaved records: %d\n", total, mixed);
    for (int w = 0; w < W; w++) {
        int st;
        printf("writer %c: %d records, ", 'A' + w, counts[w]);
        printf("exit ok %d\n", waitpid(kids[w], &st, 0) == kids[w] && WIFEXITED(st) && WEXITSTATUS(st) == 0);
    }
    return 0;
}

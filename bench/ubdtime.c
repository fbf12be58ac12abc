// Helpers for bench/ubd.sh, run natively and inside the guests (busybox's
// date has no nanoseconds):
//   ubdtime now            prints CLOCK_MONOTONIC in nanoseconds
//   ubdtime files N DIR    creates N files of 100 bytes in DIR, then syncfs()
//                          on DIR's filesystem (not sync(): natively that
//                          would flush every host filesystem); prints the
//                          nanoseconds that took
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv) {
    if (argc == 2 && !strcmp(argv[1], "now")) {
        printf("%lld\n", now_ns());
        return 0;
    }
    if (argc == 4 && !strcmp(argv[1], "files")) {
        long n = atol(argv[2]);
        char path[4096], data[100];
        memset(data, 'f', sizeof data);
        long long t = now_ns();
        for (long i = 0; i < n; i++) {
            snprintf(path, sizeof path, "%s/f%ld", argv[3], i);
            int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
            if (fd < 0 || write(fd, data, sizeof data) != sizeof data) {
                perror(path);
                return 1;
            }
            close(fd);
        }
        int dir = open(argv[3], O_RDONLY | O_DIRECTORY);
        if (dir < 0) {
            perror(argv[3]);
            return 1;
        }
        if (syncfs(dir) != 0) {
            if (errno != ENOSYS) {
                perror("syncfs");
                return 1;
            }
            sync();
        }
        close(dir);
        printf("%lld\n", now_ns() - t);
        return 0;
    }
    fprintf(stderr, "usage: ubdtime now | ubdtime files N DIR\n");
    return 2;
}

// Allocates and touches memory in 1 MiB steps until allocation fails or the
// process is killed; prints how far it got. "big N" makes one N MiB
// private mapping. With an argument N, runs N such
// hogs at once, each holding its memory for two seconds once it can get no
// more, and reports how each ended.
#include <errno.h>
#include <stdio.h>
#include <sys/mman.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int hog(int hold) {
    size_t mb = 0;
    for (;;) {
        char *p = malloc(1 << 20);
        if (!p) {
            printf("malloc failed after %zu MiB\n", mb);
            fflush(stdout);
            if (hold)
                sleep(2);
            return 0;
        }
        memset(p, 0x5a, 1 << 20);
        mb++;
        if (mb % 64 == 0) {
            printf("%zu MiB\n", mb);
            fflush(stdout);
        }
    }
}

int main(int argc, char **argv) {
    if (argc < 2)
        return hog(0);
    if (strcmp(argv[1], "big") == 0) {
        // One private mapping larger than all memory: refused outright.
        size_t len = (size_t)atoi(argv[2]) << 20;
        void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        printf("mmap of %s MiB: %s\n", argv[2], p != MAP_FAILED ? "ok" : strerror(errno));
        return 0;
    }
    int n = atoi(argv[1]);
    for (int i = 0; i < n; i++)
        if (fork() == 0)
            _exit(hog(1));
    for (int i = 0; i < n; i++) {
        int st;
        wait(&st);
        if (WIFSIGNALED(st))
            printf("a hog was killed by signal %d\n", WTERMSIG(st));
        else
            printf("a hog exited with %d\n", WEXITSTATUS(st));
    }
    printf("all hogs done\n");
    return 0;
}

// SIGBUS: touching a file mapping beyond the end of a (truncated) file
// raises SIGBUS with BUS_ADRERR and si_addr the faulting address, for shared
// and private mappings, reads and writes; pages inside the file still work;
// growing the file again makes the page valid. The default action kills.
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static sigjmp_buf jb;
static siginfo_t last;
static volatile int hits;
static volatile char sink;

static void on_bus(int s, siginfo_t *si, void *uc) {
    (void)s;
    (void)uc;
    last = *si;
    hits++;
    siglongjmp(jb, 1);
}

static const char *code(int c) {
    switch (c) {
    case BUS_ADRALN: return "BUS_ADRALN";
    case BUS_ADRERR: return "BUS_ADRERR";
    case BUS_OBJERR: return "BUS_OBJERR";
    }
    static char b[16];
    snprintf(b, sizeof b, "%d", c);
    return b;
}

#define FAULT(what, addr, expr)                                                                    \
    do {                                                                                           \
        int f_ = 0;                                                                                \
        memset(&last, 0, sizeof last);                                                             \
        if (sigsetjmp(jb, 1) == 0) {                                                               \
            expr;                                                                                  \
        } else {                                                                                   \
            f_ = 1;                                                                                \
        }                                                                                          \
        printf("%s: faulted=%d signo=%d code=%s addr_ok=%d\n", what, f_, last.si_signo,            \
               f_ ? code(last.si_code) : "-", f_ ? last.si_addr == (void *)(addr) : 1);            \
    } while (0)

int main(void) {
    long pg = sysconf(_SC_PAGESIZE);
    struct sigaction a;
    memset(&a, 0, sizeof a);
    a.sa_sigaction = on_bus;
    a.sa_flags = SA_SIGINFO;
    sigaction(SIGBUS, &a, NULL);

    int fd = open("f", O_RDWR | O_CREAT | O_TRUNC, 0644);
    char buf[8192];
    memset(buf, 'a', sizeof buf);
    if (write(fd, buf, pg * 2) != pg * 2)
        return 1;
    char *m = mmap(NULL, pg * 4, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    printf("mmap ok=%d\n", m != MAP_FAILED);
    FAULT("read page 1 (in file)", 0, sink = ((volatile char *)m)[pg + 5]);
    printf("value=%c\n", sink);
    FAULT("read page 2 (past EOF)", m + pg * 2, sink = ((volatile char *)m)[pg * 2]);
    FAULT("write page 3 (past EOF)", m + pg * 3 + 9, ((volatile char *)m)[pg * 3 + 9] = 1);

    if (ftruncate(fd, pg) != 0)
        return 1;
    FAULT("read page 0 after truncate", 0, sink = ((volatile char *)m)[10]);
    FAULT("read page 1 after truncate", m + pg + 5, sink = ((volatile char *)m)[pg + 5]);
    FAULT("write page 1 after truncate", m + pg + 6, ((volatile char *)m)[pg + 6] = 'w');
    // A file of 100 bytes: the rest of the first page reads as zero.
    if (ftruncate(fd, 100) != 0)
        return 1;
    FAULT("read byte 99", 0, sink = ((volatile char *)m)[99]);
    FAULT("read byte 100 (same page, zero)", 0, sink = ((volatile char *)m)[100]);
    printf("byte 100 value=%d\n", sink);
    FAULT("read byte pg (next page)", m + pg, sink = ((volatile char *)m)[pg]);

    // Growing the file back makes page 1 valid again (zero filled).
    if (ftruncate(fd, pg * 2) != 0)
        return 1;
    FAULT("read page 1 after regrow", 0, sink = ((volatile char *)m)[pg + 5]);
    printf("regrown value=%d\n", sink);
    munmap(m, pg * 4);

    // A private read-only mapping of the same file.
    char *p = mmap(NULL, pg * 3, PROT_READ, MAP_PRIVATE, fd, 0);
    FAULT("private read page 1", 0, sink = ((volatile char *)p)[pg]);
    FAULT("private read page 2", p + pg * 2 + 1, sink = ((volatile char *)p)[pg * 2 + 1]);
    munmap(p, pg * 3);
    printf("handler hits=%d\n", hits);

    // The default action.
    fflush(stdout);
    pid_t c = fork();
    if (c == 0) {
        struct rlimit rl = {0, 0};
        setrlimit(RLIMIT_CORE, &rl);
        signal(SIGBUS, SIG_DFL);
        char *q = mmap(NULL, pg * 4, PROT_READ, MAP_SHARED, fd, 0);
        sink = q[pg * 3];
        _exit(0);
    }
    int st;
    waitpid(c, &st, 0);
    printf("default: signaled=%d sig=%d core=%d\n", WIFSIGNALED(st),
           WIFSIGNALED(st) ? WTERMSIG(st) : -1, WCOREDUMP(st) ? 1 : 0);
    close(fd);
    return 0;
}

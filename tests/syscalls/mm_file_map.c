// File-backed mmap: MAP_PRIVATE is copy-on-write (never written back, but
// sees write() to pages it has not touched), MAP_SHARED writes are visible to
// read() at once and persist after msync/munmap/close, two shared views agree,
// offsets, sharing across fork, and the EACCES/ENODEV/EINVAL rules for
// descriptor modes, directories and pipes.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"

#define PG 4096L

static void mm(const char *what, size_t len, int prot, int flags, int fd, off_t off) {
    void *p = mmap(NULL, len, prot, flags, fd, off);
    printf("%s: %s\n", what, p == MAP_FAILED ? en(errno) : "ok");
    if (p != MAP_FAILED)
        munmap(p, len);
}

static char at(int fd, off_t off) {
    char c = '?';
    if (pread(fd, &c, 1, off) != 1)
        return '!';
    return c;
}

int main(void) {
    alarm(10);
    int fd = open("data", O_RDWR | O_CREAT | O_TRUNC, 0644);
    char page[PG];
    for (int i = 0; i < 3; i++) {
        memset(page, 'A' + i, PG);
        write(fd, page, PG);
    }

    /* MAP_PRIVATE. */
    char *pv = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    printf("private sees file: %c %c %c\n", pv[0], pv[PG], pv[2 * PG]);
    pv[0] = 'p';
    printf("private write visible in mapping: %c, file unchanged: %c\n", pv[0], at(fd, 0));
    pwrite(fd, "w", 1, PG + 1);
    pwrite(fd, "v", 1, 1);
    printf("write() to an untouched page shows through: %c\n", pv[PG + 1]);
    printf("write() to a copied page does not: %c\n", pv[1]);
    report("msync private", msync(pv, 3 * PG, MS_SYNC));
    munmap(pv, 3 * PG);
    printf("file after private munmap: %c\n", at(fd, 0));

    /* MAP_SHARED. */
    char *sh = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    sh[5] = 's';
    printf("shared write visible to read(): %c\n", at(fd, 5));
    pwrite(fd, "r", 1, 6);
    printf("write() visible in shared mapping: %c\n", sh[6]);
    char *sh2 = mmap(NULL, PG, PROT_READ, MAP_SHARED, fd, 0);
    printf("second shared view agrees: %c%c\n", sh2[5], sh2[6]);
    char *off = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 2 * PG);
    printf("offset 2 pages: %c\n", off[0]);
    off[1] = 'o';
    printf("via offset mapping, seen in the big one: %c\n", sh[2 * PG + 1]);
    report("msync MS_SYNC", msync(sh, 3 * PG, MS_SYNC));

    /* Across fork. */
    fflush(stdout);
    pid_t kid = fork();
    if (kid == 0) {
        sh[PG] = 'c';
        _exit(0);
    }
    waitpid(kid, NULL, 0);
    printf("child's write through shared mapping: %c (file %c)\n", sh[PG], at(fd, PG));
    munmap(sh2, PG);
    munmap(off, PG);
    sh[7] = 'z';
    munmap(sh, 3 * PG);
    close(fd);

    fd = open("data", O_RDONLY);
    char buf[8];
    read(fd, buf, 8);
    printf("after munmap and reopen: %.8s\n", buf);
    struct stat st;
    fstat(fd, &st);
    printf("size unchanged: %ld\n", (long)st.st_size);

    /* Mapping outlives the descriptor. */
    char *keep = mmap(NULL, PG, PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    printf("mapping after close(fd): %c\n", keep[0]);
    munmap(keep, PG);

    /* Descriptor mode rules. */
    int ro = open("data", O_RDONLY);
    int wo = open("data", O_WRONLY);
    int ap = open("data", O_RDWR | O_APPEND);
    mm("O_RDONLY, MAP_SHARED PROT_READ", PG, PROT_READ, MAP_SHARED, ro, 0);
    mm("O_RDONLY, MAP_SHARED PROT_WRITE", PG, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0);
    mm("O_RDONLY, MAP_PRIVATE PROT_WRITE", PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, ro, 0);
    mm("O_WRONLY, MAP_SHARED", PG, PROT_WRITE, MAP_SHARED, wo, 0);
    mm("O_WRONLY, MAP_PRIVATE PROT_READ", PG, PROT_READ, MAP_PRIVATE, wo, 0);
    mm("O_APPEND, MAP_SHARED PROT_WRITE", PG, PROT_READ | PROT_WRITE, MAP_SHARED, ap, 0);
    mm("O_APPEND, MAP_SHARED PROT_READ", PG, PROT_READ, MAP_SHARED, ap, 0);
    mm("MAP_SHARED_VALIDATE", PG, PROT_READ, MAP_SHARED_VALIDATE, ro, 0);
    mm("MAP_SHARED_VALIDATE unknown flag", PG, PROT_READ, MAP_SHARED_VALIDATE | 0x800000, ro, 0);
    mm("unaligned offset", PG, PROT_READ, MAP_SHARED, ro, 100);
    mm("offset beyond EOF", PG, PROT_READ, MAP_SHARED, ro, 100 * PG);
    mm("negative offset", PG, PROT_READ, MAP_PRIVATE, ro, -PG);
    char *rp = mmap(NULL, PG, PROT_READ, MAP_SHARED, ro, 0);
    report("mprotect PROT_WRITE on O_RDONLY shared", mprotect(rp, PG, PROT_READ | PROT_WRITE));
    char *rpp = mmap(NULL, PG, PROT_READ, MAP_PRIVATE, ro, 0);
    report("mprotect PROT_WRITE on O_RDONLY private", mprotect(rpp, PG, PROT_READ | PROT_WRITE));
    int dir = open(".", O_RDONLY | O_DIRECTORY);
    mm("directory", PG, PROT_READ, MAP_PRIVATE, dir, 0);
    int p[2];
    pipe(p);
    mm("pipe", PG, PROT_READ, MAP_PRIVATE, p[0], 0);
    int null = open("/dev/null", O_RDWR);
    mm("/dev/null MAP_PRIVATE", PG, PROT_READ, MAP_PRIVATE, null, 0);

    /* Growing the file makes more of a larger mapping usable. */
    int g = open("grow", O_RDWR | O_CREAT | O_TRUNC, 0644);
    ftruncate(g, PG);
    char *gm = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, g, 0);
    gm[0] = 'g';
    ftruncate(g, 4 * PG);
    gm[3 * PG] = 'h';
    printf("written after ftruncate: %c %c, size %ld\n", at(g, 0), at(g, 3 * PG), (long)lseek(g, 0, SEEK_END));
    return 0;
}

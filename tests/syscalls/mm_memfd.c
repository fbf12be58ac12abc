// memfd_create: flags and name checks, an anonymous regular file that supports
// read/write/lseek/ftruncate and shared mmap (also across fork), and file
// sealing: F_GET_SEALS/F_ADD_SEALS, SHRINK/GROW/WRITE/FUTURE_WRITE/SEAL
// semantics, EBUSY while a writable shared mapping exists, EPERM for sealed
// writes, and F_SEAL_SEAL preset without MFD_ALLOW_SEALING.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"

#define PG 4096L

#ifndef F_SEAL_FUTURE_WRITE
#define F_SEAL_FUTURE_WRITE 0x0010
#endif

static long mfd(const char *name, unsigned flags) { return syscall(SYS_memfd_create, name, flags); }

int main(void) {
    alarm(10);
    int fd = mfd("test", 0);
    printf("memfd_create ok: %d, cloexec %d, O_RDWR %d\n", fd >= 0, fcntl(fd, F_GETFD),
           (fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDWR);
    struct stat st;
    fstat(fd, &st);
    printf("regular file %d, size %ld, mode %o\n", S_ISREG(st.st_mode), (long)st.st_size, st.st_mode & 0777);
    int c = mfd("cloexec", MFD_CLOEXEC);
    printf("MFD_CLOEXEC: %d\n", fcntl(c, F_GETFD));
    report("bad flags", mfd("x", 0x1000));
    char longname[300];
    memset(longname, 'n', sizeof longname);
    longname[249] = 0;
    report("249-byte name", mfd(longname, 0) >= 0 ? 0 : -1);
    longname[249] = 'n';
    longname[250] = 0;
    report("250-byte name", mfd(longname, 0));
    report("NULL name", mfd(NULL, 0));
    report("empty name", mfd("", 0) >= 0 ? 0 : -1);

    report("write", write(fd, "hello memfd", 11));
    report("lseek 0", lseek(fd, 0, SEEK_SET));
    char buf[32] = {0};
    report("read", read(fd, buf, sizeof buf - 1));
    printf("data: %s\n", buf);
    report("ftruncate 2 pages", ftruncate(fd, 2 * PG));
    fstat(fd, &st);
    printf("size %ld\n", (long)st.st_size);

    char *m = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    printf("mmap shared: %d, sees data %.5s\n", m != MAP_FAILED, m);
    memcpy(m + PG, "via map", 7);
    memset(buf, 0, sizeof buf);
    pread(fd, buf, 7, PG);
    printf("read() sees mapped write: %s\n", buf);
    fflush(stdout);
    pid_t kid = fork();
    if (kid == 0) {
        memcpy(m + 100, "child", 5);
        _exit(0);
    }
    waitpid(kid, NULL, 0);
    memset(buf, 0, sizeof buf);
    pread(fd, buf, 5, 100);
    printf("child's write: %s\n", buf);

    /* No MFD_ALLOW_SEALING: F_SEAL_SEAL is preset. */
    report("F_GET_SEALS without ALLOW_SEALING", fcntl(fd, F_GET_SEALS));
    report("F_ADD_SEALS without ALLOW_SEALING", fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
    int p[2];
    pipe(p);
    report("F_GET_SEALS on a pipe", fcntl(p[0], F_GET_SEALS));
    report("F_ADD_SEALS on a pipe", fcntl(p[0], F_ADD_SEALS, F_SEAL_WRITE));

    /* Sealing. */
    int s = mfd("sealed", MFD_ALLOW_SEALING);
    report("F_GET_SEALS initially", fcntl(s, F_GET_SEALS));
    ftruncate(s, 2 * PG);
    report("add F_SEAL_SHRINK", fcntl(s, F_ADD_SEALS, F_SEAL_SHRINK));
    report("shrink", ftruncate(s, PG));
    report("grow", ftruncate(s, 3 * PG));
    report("add F_SEAL_GROW", fcntl(s, F_ADD_SEALS, F_SEAL_GROW));
    report("grow again", ftruncate(s, 4 * PG));
    report("same size", ftruncate(s, 3 * PG));
    report("write past EOF", pwrite(s, "x", 1, 3 * PG));
    report("write inside", pwrite(s, "abc", 3, 0));
    report("fallocate past EOF", fallocate(s, 0, 3 * PG, PG));

    char *w = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, s, 0);
    report("add F_SEAL_WRITE with a writable shared mapping", fcntl(s, F_ADD_SEALS, F_SEAL_WRITE));
    munmap(w, PG);
    char *pr = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, s, 0);
    report("add F_SEAL_WRITE with only a private mapping", fcntl(s, F_ADD_SEALS, F_SEAL_WRITE));
    report("F_GET_SEALS", fcntl(s, F_GET_SEALS));
    report("write when sealed", write(s, "y", 1));
    report("pwrite when sealed", pwrite(s, "y", 1, 10));
    w = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, s, 0);
    printf("shared writable mmap when sealed: %s\n", w == MAP_FAILED ? en(errno) : "ok");
    w = mmap(NULL, PG, PROT_READ, MAP_SHARED, s, 0);
    printf("shared read-only mmap when sealed: %s\n", w == MAP_FAILED ? en(errno) : "ok");
    if (w != MAP_FAILED)
        report("mprotect it writable", mprotect(w, PG, PROT_READ | PROT_WRITE));
    pr[0] = 'P';
    printf("private mapping still writable: %c, file keeps %c\n", pr[0], w != MAP_FAILED ? w[0] : '?');
    report("fallocate PUNCH_HOLE when sealed", fallocate(s, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, PG));
    report("add F_SEAL_SEAL", fcntl(s, F_ADD_SEALS, F_SEAL_SEAL));
    report("add anything after F_SEAL_SEAL", fcntl(s, F_ADD_SEALS, F_SEAL_SHRINK));
    report("F_GET_SEALS final", fcntl(s, F_GET_SEALS));
    report("add unknown seal bit", fcntl(mfd("u", MFD_ALLOW_SEALING), F_ADD_SEALS, 0x100));

    /* F_SEAL_FUTURE_WRITE: existing writable mappings keep working, new writes fail. */
    int fw = mfd("future", MFD_ALLOW_SEALING);
    ftruncate(fw, PG);
    char *fm = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fw, 0);
    report("add F_SEAL_FUTURE_WRITE", fcntl(fw, F_ADD_SEALS, F_SEAL_FUTURE_WRITE));
    fm[0] = 'F';
    char b1 = 0;
    pread(fw, &b1, 1, 0);
    printf("old mapping writes: %c\n", b1);
    report("write()", write(fw, "n", 1));
    char *fm2 = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fw, 0);
    printf("new writable mapping: %s\n", fm2 == MAP_FAILED ? en(errno) : "ok");

    /* Seals belong to the file: a dup sees them. */
    int d = dup(s);
    report("seals via dup", fcntl(d, F_GET_SEALS));
    return 0;
}

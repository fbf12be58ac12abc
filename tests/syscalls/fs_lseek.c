// lseek: SEEK_SET/CUR/END arithmetic, seeking past EOF (no growth until a write,
// the gap reads as zeros), EINVAL for negative results and bad whence, ESPIPE
// on pipes/FIFOs, SEEK_DATA/SEEK_HOLE on dense and sparse files (ENXIO at or
// beyond EOF), and on directories.
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

#include "common.h"

/* T: run a call, print its text and "ok" or the errno name. */
#define T(x) do { errno = 0; long r_ = (long)(x); \
    if (r_ < 0) printf("%s = -1 %s\n", #x, en(errno)); else printf("%s = ok\n", #x); } while (0)
/* V: like T, but print the value returned. */
#define V(x) do { errno = 0; long r_ = (long)(x); \
    if (r_ < 0) printf("%s = -1 %s\n", #x, en(errno)); else printf("%s = %ld\n", #x, r_); } while (0)
/* S: print a labelled truth value. */
#define S(label, cond) printf("%s: %d\n", label, (int)(cond))

int main(void) {
    umask(022);
    int fd = open("f", O_CREAT | O_RDWR | O_TRUNC, 0644);
    T(write(fd, "0123456789", 10));
    V(lseek(fd, 0, SEEK_CUR));
    V(lseek(fd, 2, SEEK_SET));
    V(lseek(fd, 3, SEEK_CUR));
    V(lseek(fd, -1, SEEK_CUR));
    V(lseek(fd, 0, SEEK_END));
    V(lseek(fd, -4, SEEK_END));
    char c;
    T(read(fd, &c, 1));
    printf("read at END-4: %c\n", c);
    V(lseek(fd, -11, SEEK_END));
    V(lseek(fd, -100, SEEK_CUR));
    V(lseek(fd, -1, SEEK_SET));
    V(lseek(fd, 0, 5));
    V(lseek(fd, 0, -1));
    V(lseek(fd, 0, SEEK_CUR));
    /* past EOF */
    V(lseek(fd, 100, SEEK_END));
    struct stat s;
    fstat(fd, &s);
    printf("size after seek past end: %lld\n", (long long)s.st_size);
    V(read(fd, &c, 1));
    T(write(fd, "E", 1));
    fstat(fd, &s);
    printf("size after write: %lld\n", (long long)s.st_size);
    char buf[16];
    V(pread(fd, buf, 4, 50));
    printf("gap bytes zero: %d\n", buf[0] == 0 && buf[3] == 0);
    V(lseek(fd, 1LL << 40, SEEK_SET));
    V(lseek(fd, 0, SEEK_CUR));
    /* SEEK_DATA / SEEK_HOLE on a dense file: data at offset, hole at EOF */
    T(ftruncate(fd, 10));
    V(lseek(fd, 0, SEEK_DATA));
    V(lseek(fd, 5, SEEK_DATA));
    V(lseek(fd, 0, SEEK_HOLE));
    V(lseek(fd, 9, SEEK_HOLE));
    V(lseek(fd, 10, SEEK_DATA));
    V(lseek(fd, 10, SEEK_HOLE));
    V(lseek(fd, 1000, SEEK_DATA));
    V(lseek(fd, 1000, SEEK_HOLE));
    V(lseek(fd, -1, SEEK_DATA));
    /* a sparse file: data [0,4096), hole, data [1MiB, 1MiB+4096) */
    int sp = open("sparse", O_CREAT | O_RDWR | O_TRUNC, 0644);
    char page[4096];
    memset(page, 'd', sizeof page);
    T(pwrite(sp, page, sizeof page, 0));
    T(pwrite(sp, page, sizeof page, 1 << 20));
    T(fsync(sp));
    fstat(sp, &s);
    printf("sparse size %lld\n", (long long)s.st_size);
    V(lseek(sp, 0, SEEK_HOLE));
    V(lseek(sp, 100, SEEK_DATA));
    V(lseek(sp, 4096, SEEK_DATA));
    V(lseek(sp, 8192, SEEK_HOLE));
    V(lseek(sp, (1 << 20) + 1, SEEK_DATA));
    V(lseek(sp, (1 << 20) + 1, SEEK_HOLE));
    V(lseek(sp, (1 << 20) + 4096, SEEK_DATA));
    /* extending with ftruncate adds a hole at the end */
    T(ftruncate(sp, 2 << 20));
    V(lseek(sp, (1 << 20) + 4096, SEEK_HOLE));
    V(lseek(sp, (1 << 20) + 4096, SEEK_DATA));
    V(pread(sp, buf, 4, 500000));
    printf("hole reads as zeros: %d\n", buf[0] == 0 && buf[1] == 0);
    close(sp);
    /* pipes, FIFOs */
    int p[2];
    T(pipe(p));
    V(lseek(p[0], 0, SEEK_CUR));
    V(lseek(p[1], 0, SEEK_SET));
    T(mkfifo("fifo", 0644));
    int fi = open("fifo", O_RDONLY | O_NONBLOCK);
    V(lseek(fi, 0, SEEK_SET));
    close(fi);
    V(lseek(-1, 0, SEEK_SET));
    V(lseek(999, 0, SEEK_SET));
    /* directories: rewinding with SEEK_SET 0 is fine */
    int dd = open(".", O_RDONLY | O_DIRECTORY);
    V(lseek(dd, 0, SEEK_SET));
    V(lseek(dd, 0, SEEK_CUR));
    close(dd);
    close(fd);
    return 0;
}

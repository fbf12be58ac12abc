// truncate/ftruncate: growing fills with zeros, shrinking drops data (and a
// later grow does not resurrect it), the offset is unchanged, EINVAL for
// negative lengths and read-only fds, EISDIR/ENOENT/ENOTDIR paths, symlinks
// followed, O_APPEND descriptors, and truncating an mmapped region.
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
#include <sys/mman.h>

#include "common.h"

static void dump(int fd) {
    struct stat s;
    fstat(fd, &s);
    unsigned char buf[64];
    ssize_t n = pread(fd, buf, sizeof buf, 0);
    printf("  size %lld, content:", (long long)s.st_size);
    for (ssize_t i = 0; i < n; i++) printf(buf[i] >= 32 && buf[i] < 127 ? "%c" : "\\%o", buf[i]);
    printf("\n");
}

int main(void) {
    umask(022);
    int fd = open("f", O_CREAT | O_RDWR, 0644);
    T(write(fd, "0123456789", 10));
    T(ftruncate(fd, 4));
    dump(fd);
    V(lseek(fd, 0, SEEK_CUR));
    T(ftruncate(fd, 12));
    dump(fd);
    T(truncate("f", 2));
    dump(fd);
    T(truncate("f", 6));
    dump(fd);
    T(ftruncate(fd, 0));
    dump(fd);
    /* writing at the old offset (10) leaves a zero-filled gap */
    T(write(fd, "X", 1));
    dump(fd);
    /* large sparse size */
    T(ftruncate(fd, 1 << 30));
    struct stat s;
    fstat(fd, &s);
    printf("  size %lld\n", (long long)s.st_size);
    unsigned char z[16];
    V(pread(fd, z, sizeof z, (1 << 30) - 8));
    int allz = 1;
    for (int i = 0; i < 8; i++) allz &= z[i] == 0;
    S("tail reads as zeros", allz);
    T(ftruncate(fd, 3));
    /* Errors */
    T(ftruncate(fd, -1));
    T(truncate("f", -1));
    T(truncate("missing", 0));
    T(truncate("f/x", 0));
    T(truncate("", 0));
    T(mkdir("d", 0755));
    T(truncate("d", 0));
    int dd = open("d", O_RDONLY);
    T(ftruncate(dd, 0));
    close(dd);
    int ro = open("f", O_RDONLY);
    T(ftruncate(ro, 0));
    close(ro);
    T(ftruncate(-1, 0));
    T(ftruncate(999, 0));
    int p[2];
    T(pipe(p));
    T(ftruncate(p[1], 0));
    close(p[0]);
    close(p[1]);
    /* Through a symlink */
    T(symlink("f", "lf"));
    T(truncate("lf", 1));
    dump(fd);
    /* With O_APPEND */
    int ap = open("f", O_WRONLY | O_APPEND);
    T(ftruncate(ap, 5));
    T(write(ap, "Z", 1));
    dump(fd);
    close(ap);
    /* A shared mapping sees the truncation and growth. */
    T(ftruncate(fd, 4096));
    char *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    S("mmap ok", m != MAP_FAILED);
    memcpy(m, "MAPPED", 6);
    T(ftruncate(fd, 3));
    T(ftruncate(fd, 4096));
    printf("  mapped bytes after shrink+grow: %c%c%c %d %d\n", m[0], m[1], m[2], m[3], m[5]);
    munmap(m, 4096);
    T(ftruncate(fd, 8));
    dump(fd);
    close(fd);
    return 0;
}

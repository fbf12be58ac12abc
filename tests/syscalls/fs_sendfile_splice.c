// In-kernel copies: sendfile (file->file, file->pipe, with and without an
// offset pointer), copy_file_range (offsets, overlapping same-file ranges,
// EOF, bad flags, O_APPEND target), splice file->pipe->file with and without
// offsets, tee between pipes, and the EINVAL/EBADF/ESPIPE cases.
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
#include <sys/sendfile.h>

#include "common.h"

static void content(const char *label, const char *p) {
    char buf[128] = {0};
    int fd = open(p, O_RDONLY);
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    printf("  %s (%zd): %s\n", label, n, buf);
}

int main(void) {
    alarm(10);
    umask(022);
    int src = open("src", O_CREAT | O_RDWR | O_TRUNC, 0644);
    T(write(src, "abcdefghijklmnopqrstuvwxyz", 26));
    int dst = open("dst", O_CREAT | O_RDWR | O_TRUNC, 0644);

    /* sendfile with NULL offset uses and advances src's offset */
    T(lseek(src, 2, SEEK_SET));
    V(sendfile(dst, src, NULL, 5));
    V(lseek(src, 0, SEEK_CUR));
    V(lseek(dst, 0, SEEK_CUR));
    content("dst", "dst");
    off_t off = 20;
    V(sendfile(dst, src, &off, 100));
    printf("  off now %lld\n", (long long)off);
    V(lseek(src, 0, SEEK_CUR));
    content("dst", "dst");
    off = 100;
    V(sendfile(dst, src, &off, 10));
    off = -1;
    V(sendfile(dst, src, &off, 10));
    int ro = open("dst", O_RDONLY);
    V(sendfile(ro, src, NULL, 1));
    int wo = open("src", O_WRONLY);
    V(sendfile(dst, wo, NULL, 1));
    V(sendfile(dst, -1, NULL, 1));
    /* sendfile into a pipe */
    int p[2];
    T(pipe(p));
    off = 0;
    V(sendfile(p[1], src, &off, 4));
    char buf[64] = {0};
    V(read(p[0], buf, sizeof buf));
    printf("  from pipe: %s\n", buf);

    /* copy_file_range */
    T(ftruncate(dst, 0));
    loff_t in = 0, out = 0;
    V(copy_file_range(src, &in, dst, &out, 10, 0));
    printf("  in %lld out %lld\n", (long long)in, (long long)out);
    content("dst", "dst");
    in = 20;
    out = 5;
    V(copy_file_range(src, &in, dst, &out, 100, 0));
    printf("  in %lld out %lld\n", (long long)in, (long long)out);
    content("dst", "dst");
    in = 26;
    V(copy_file_range(src, &in, dst, &out, 10, 0));
    in = 0;
    V(copy_file_range(src, &in, dst, &out, 10, 1));
    /* same file, overlapping ranges: EINVAL; non-overlapping: fine */
    in = 0;
    out = 5;
    V(copy_file_range(src, &in, src, &out, 10, 0));
    in = 0;
    out = 30;
    V(copy_file_range(src, &in, src, &out, 3, 0));
    content("src", "src");
    /* NULL offsets use and advance the file offsets */
    T(lseek(src, 1, SEEK_SET));
    T(lseek(dst, 0, SEEK_SET));
    V(copy_file_range(src, NULL, dst, NULL, 3, 0));
    V(lseek(src, 0, SEEK_CUR));
    V(lseek(dst, 0, SEEK_CUR));
    content("dst", "dst");
    int ap = open("dst", O_WRONLY | O_APPEND);
    in = 0;
    V(copy_file_range(src, &in, ap, NULL, 3, 0));
    close(ap);
    V(copy_file_range(src, NULL, ro, NULL, 3, 0));
    int dd = open(".", O_RDONLY);
    V(copy_file_range(dd, NULL, dst, NULL, 3, 0));
    close(dd);
    V(copy_file_range(p[0], NULL, dst, NULL, 3, 0));
    in = -1;
    V(copy_file_range(src, &in, dst, NULL, 3, 0));

    /* splice: file -> pipe -> file */
    off_t so = 10;
    V(splice(src, &so, p[1], NULL, 6, 0));
    printf("  so now %lld\n", (long long)so);
    T(ftruncate(dst, 0));
    off_t doff = 3;
    V(splice(p[0], NULL, dst, &doff, 6, 0));
    printf("  doff now %lld\n", (long long)doff);
    V(lseek(dst, 0, SEEK_END));
    memset(buf, 0, sizeof buf);
    V(pread(dst, buf, sizeof buf, 3));
    printf("  dst from 3: %s\n", buf);
    T(lseek(src, 0, SEEK_SET));
    V(splice(src, NULL, p[1], NULL, 3, 0));
    V(lseek(src, 0, SEEK_CUR));
    V(splice(p[0], &so, dst, NULL, 3, 0));
    V(splice(src, NULL, dst, NULL, 3, 0));
    V(splice(p[0], NULL, p[1], NULL, 3, 0x100));
    V(splice(-1, NULL, p[1], NULL, 3, 0));
    /* tee duplicates pipe data without consuming it */
    int q[2];
    T(pipe(q));
    V(tee(p[0], q[1], 100, 0));
    memset(buf, 0, sizeof buf);
    V(read(q[0], buf, sizeof buf));
    printf("  tee copy: %s\n", buf);
    memset(buf, 0, sizeof buf);
    V(read(p[0], buf, sizeof buf));
    printf("  original: %s\n", buf);
    V(tee(p[0], q[1], 100, SPLICE_F_NONBLOCK));
    V(tee(src, q[1], 100, 0));
    V(tee(p[0], p[1], 100, 0));
    close(src);
    close(dst);
    return 0;
}

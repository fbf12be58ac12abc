// fsync/fdatasync/sync/syncfs/sync_file_range return 0 on files and dirs and
// EBADF/EINVAL where due; statfs/fstatfs report f_namelen 255 and positive
// block sizes for the scratch dir (by path and fd) and fail with ENOENT,
// ENOTDIR, EBADF as they should; statvfs agrees with statfs.
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
#include <sys/statfs.h>
#include <sys/statvfs.h>

#include "common.h"

int main(void) {
    umask(022);
    int fd = open("f", O_CREAT | O_RDWR, 0644);
    T(write(fd, "data", 4));
    T(fsync(fd));
    T(fdatasync(fd));
    sync();
    printf("sync returned\n");
    T(syscall(SYS_sync));
    T(syncfs(fd));
    T(sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE));
    T(sync_file_range(fd, 0, 0, 0x100));
    T(sync_file_range(fd, -1, 0, SYNC_FILE_RANGE_WRITE));
    int dd = open(".", O_RDONLY | O_DIRECTORY);
    T(fsync(dd));
    T(fdatasync(dd));
    T(syncfs(dd));
    int ro = open("f", O_RDONLY);
    T(fsync(ro));
    T(fdatasync(ro));
    close(ro);
    T(fsync(-1));
    T(fdatasync(999));
    T(syncfs(-1));
    int p[2];
    T(pipe(p));
    T(fsync(p[0]));
    T(fdatasync(p[1]));
    T(syncfs(p[0]));
    close(p[0]);
    close(p[1]);

    struct statfs a, b;
    T(statfs(".", &a));
    printf("namelen %ld, bsize > 0 %d, frsize > 0 %d\n", (long)a.f_namelen, a.f_bsize > 0, a.f_frsize > 0);
    T(fstatfs(fd, &b));
    printf("fstatfs: namelen %ld, same type as statfs: %d, same bsize: %d\n", (long)b.f_namelen, a.f_type == b.f_type,
           a.f_bsize == b.f_bsize);
    T(fstatfs(dd, &b));
    printf("fstatfs dir same type: %d\n", a.f_type == b.f_type);
    T(statfs("f", &b));
    printf("statfs of a file same type: %d\n", a.f_type == b.f_type);
    T(statfs("missing", &b));
    T(statfs("f/x", &b));
    T(statfs("", &b));
    T(fstatfs(-1, &b));
    T(fstatfs(1000, &b));
    T(syscall(SYS_statfs, ".", NULL));
    struct statvfs v;
    T(statvfs(".", &v));
    printf("statvfs namemax %lu, bsize > 0 %d, not read-only %d\n", (unsigned long)v.f_namemax, v.f_bsize > 0,
           !(v.f_flag & ST_RDONLY));
    T(fstatvfs(fd, &v));
    printf("fstatvfs namemax %lu\n", (unsigned long)v.f_namemax);
    close(fd);
    close(dd);
    return 0;
}

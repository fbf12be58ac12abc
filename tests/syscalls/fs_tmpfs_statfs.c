// statfs of a tmpfs the test mounts: size= and nr_inodes= set f_blocks and
// f_files (with k/m suffixes and a percentage of memory), a file's pages
// and the inodes in use are subtracted and given back when it is removed,
// size=0 means unlimited (0 blocks), mode= sets the root's mode, malformed
// sizes are EINVAL; the default size is not 0.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "common.h"

#define TMPFS_MAGIC 0x01021994

static void show(const char *what) {
    struct statfs s;
    if (statfs("m", &s) != 0) {
        printf("%s: statfs %s\n", what, en(errno));
        return;
    }
    printf("%s: type ok %d, bsize %ld, blocks %llu, free %llu, avail %llu, files %llu, "
           "ffree %llu, namelen %ld\n",
           what, s.f_type == TMPFS_MAGIC, (long)s.f_bsize, (unsigned long long)s.f_blocks,
           (unsigned long long)s.f_bfree, (unsigned long long)s.f_bavail,
           (unsigned long long)s.f_files, (unsigned long long)s.f_ffree, (long)s.f_namelen);
}

static int try_mount(const char *opts) {
    int r = mount("tm", "m", "tmpfs", 0, opts);
    printf("mount %s: %d %s\n", opts ? opts : "(none)", r, en(r ? errno : 0));
    return r;
}

int main(void) {
    alarm(10);
    mkdir("m", 0755);
    if (try_mount("size=1m,nr_inodes=100,mode=0710") != 0)
        return 1;
    show("fresh");
    struct stat st;
    stat("m", &st);
    printf("root mode %o\n", st.st_mode & 07777);

    int fd = open("m/f", O_RDWR | O_CREAT, 0644);
    char buf[10240];
    memset(buf, 'x', sizeof buf);
    write(fd, buf, sizeof buf);
    mkdir("m/d", 0755);
    symlink("f", "m/l");
    show("10 KiB file, a dir, a symlink");
    struct statfs fs;
    fstatfs(fd, &fs);
    printf("fstatfs of the file agrees: %d\n", fs.f_bfree == 253 && fs.f_ffree == 96);
    close(fd);
    unlink("m/f");
    rmdir("m/d");
    unlink("m/l");
    show("removed");
    umount("m");

    try_mount("size=64k,nr_inodes=2k");
    show("64k/2k");
    umount("m");
    try_mount("size=10000,nr_inodes=50");
    show("size=10000 (rounded up to pages)");
    umount("m");
    try_mount("size=0,nr_inodes=0");
    show("unlimited");
    umount("m");
    try_mount("size=1x");
    try_mount("size=abc");
    try_mount("nr_inodes=-");
    if (try_mount("size=10%") == 0) {
        statfs("m", &fs);
        printf("10%%: blocks > 0 %d\n", fs.f_blocks > 0);
        umount("m");
    }
    if (try_mount(NULL) == 0) {
        statfs("m", &fs);
        printf("default: blocks > 0 %d, files > 0 %d, free == blocks %d\n", fs.f_blocks > 0,
               fs.f_files > 0, fs.f_bfree == fs.f_blocks);
        umount("m");
    }
    rmdir("m");
    return 0;
}

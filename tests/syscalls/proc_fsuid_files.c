// difftest: needs-root
// Ownership of new files on a tmpfs mounted in the scratch directory: they
// take the creator's fsuid/fsgid (setfsuid/setfsgid or the euid after
// setresuid), a setgid directory passes its group (and the bit to subdirs),
// dropping fsuid from 0 drops the filesystem capabilities (EACCES in a 0700
// root directory, EPERM for chown), and chown as root sets any owner.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"


static void owner(const char *path) {
    struct stat st;
    if (stat(path, &st) < 0) {
        printf("  %s: stat %s\n", path, en(errno));
        return;
    }
    printf("  %s: uid %d gid %d mode %04o\n", path, st.st_uid, st.st_gid, st.st_mode & 07777);
}

static int create(const char *path) {
    errno = 0;
    int fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0644);
    if (fd < 0) {
        printf("  create %s: %s\n", path, en(errno));
        return -1;
    }
    close(fd);
    owner(path);
    return 0;
}

int main(void) {
    mkdir("m", 0755);
    int r = mount("tmpfs", "m", "tmpfs", 0, "mode=0777");
    printf("mount tmpfs on m: %d %s\n", r, r ? en(errno) : "");
    chdir("m");
    umask(022);

    printf("as root:\n");
    create("root-file");
    mkdir("root-dir", 0755);
    owner("root-dir");

    int o1 = setfsuid(1234);
    int o2 = setfsgid(567);
    printf("setfsuid(1234) returns %d, setfsgid(567) returns %d\n", o1, o2);
    printf("with fsuid 1234 fsgid 567:\n");
    create("fs-file");
    errno = 0;
    r = mkdir("fs-dir", 0750);
    printf("  mkdir: %d %s\n", r, en(errno));
    owner("fs-dir");
    errno = 0;
    r = symlink("target", "fs-link");
    struct stat st;
    lstat("fs-link", &st);
    printf("  symlink: %d, owner %d:%d\n", r, st.st_uid, st.st_gid);
    r = mkfifo("fs-fifo", 0600);
    owner("fs-fifo");
    // fs capabilities are gone with fsuid != 0
    mkdir("private", 0700);
    printf("  (created private as 1234 too)\n");
    errno = 0;
    r = chown("root-file", 1, 1);
    printf("  chown root-file to 1:1 as fsuid 1234: %d %s\n", r, en(errno));
    errno = 0;
    r = chmod("root-file", 0600);
    printf("  chmod root-file as fsuid 1234: %d %s\n", r, en(errno));
    errno = 0;
    r = chmod("fs-file", 0600);
    printf("  chmod own fs-file: %d %s\n", r, en(errno));
    errno = 0;
    r = open("root-dir/x", O_CREAT | O_WRONLY, 0644);
    printf("  create in root's 0755 dir: %s\n", r >= 0 ? "ok" : en(errno));

    setfsuid(0);
    setfsgid(0);
    printf("back to fsuid 0:\n");
    mkdir("root-private", 0700);
    setfsuid(1234);
    errno = 0;
    r = open("root-private/x", O_CREAT | O_WRONLY, 0644);
    printf("  fsuid 1234 creating in root's 0700 dir: %s\n", r >= 0 ? "ok" : en(errno));
    setfsuid(0);
    errno = 0;
    r = open("root-private/x", O_CREAT | O_WRONLY, 0644);
    printf("  fsuid 0 creating there: %s\n", r >= 0 ? "ok" : en(errno));
    close(r);
    printf("  chown fs-file to 42:43: %d\n", chown("fs-file", 42, 43));
    owner("fs-file");
    printf("  chown -1:44 keeps the uid: %d\n", chown("fs-file", -1, 44));
    owner("fs-file");
    chmod("fs-file", 06755);
    printf("  chown by root clears setuid/setgid bits: %d\n", chown("fs-file", 42, 43));
    owner("fs-file");

    // setgid directory
    mkdir("sgid", 0775);
    chown("sgid", 0, 77);
    chmod("sgid", 02775);
    owner("sgid");
    create("sgid/file");
    mkdir("sgid/sub", 0755);
    owner("sgid/sub");

    // a child that really becomes uid 1000
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        setresgid(100, 100, 100);
        setresuid(1000, 1000, 1000);
        printf("child as uid 1000 gid 100:\n");
        create("child-file");
        mkdir("child-dir", 0777);
        owner("child-dir");
        create("sgid/child-in-sgid");
        errno = 0;
        int rr = chown("child-file", 1000, 77);
        printf("  chown own file to a group it is not in: %d %s\n", rr, en(errno));
        errno = 0;
        rr = chown("child-file", 1001, -1);
        printf("  give own file away: %d %s\n", rr, en(errno));
        int old = setfsuid(0);
        printf("  setfsuid(0) as uid 1000 returns %d, fsuid stays %d\n", old, setfsuid(-1));
        fflush(stdout);
        _exit(0);
    }
    waitpid(pid, NULL, 0);
    chdir("..");
    printf("umount: %d\n", umount("m"));
    return 0;
}

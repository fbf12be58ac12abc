// difftest: needs-root
// access/faccessat permission checks: root passes R/W on any file but needs
// an x bit for X_OK; a uid-1000 process is held to owner/group/other bits
// and directory search permission; access uses the real uid while open and
// faccessat(AT_EACCESS) use the effective one; supplementary groups count;
// the sticky bit stops deleting others' files. On a tmpfs and on the scratch
// directory.
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"


#ifndef SYS_faccessat2
#define SYS_faccessat2 439
#endif

static void mk(const char *path, mode_t mode, uid_t u, gid_t g) {
    int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0600);
    write(fd, "x", 1);
    close(fd);
    chown(path, u, g);
    chmod(path, mode);
}

static void acc(const char *path) {
    const int modes[] = {R_OK, W_OK, X_OK, F_OK};
    const char *names[] = {"R", "W", "X", "F"};
    printf("    %-14s", path);
    for (int i = 0; i < 4; i++) {
        errno = 0;
        int r = access(path, modes[i]);
        printf(" %s:%s", names[i], r == 0 ? "ok" : en(errno));
    }
    errno = 0;
    int fd = open(path, O_RDONLY);
    printf(" open(r):%s", fd >= 0 ? "ok" : en(errno));
    if (fd >= 0) close(fd);
    errno = 0;
    fd = open(path, O_WRONLY);
    printf(" open(w):%s\n", fd >= 0 ? "ok" : en(errno));
    if (fd >= 0) close(fd);
}

static void tree(const char *d, int owned) {
    char p[256];
    mkdir(d, 0777);
    chmod(d, 0777);
#define P(n) (snprintf(p, sizeof p, "%s/%s", d, n), p)
    mk(P("root-0600"), 0600, 0, 0);
    mk(P("root-0644"), 0644, 0, 0);
    mk(P("root-0604"), 0604, 0, 0);
    mk(P("root-0000"), 0000, 0, 0);
    mk(P("root-0755"), 0755, 0, 0);
    mk(P("root-0100"), 0100, 0, 0);
    if (owned) {
        mk(P("u1000-0400"), 0400, 1000, 0);
        mk(P("u1000-0070"), 0070, 1000, 50);
        mk(P("g50-0040"), 0040, 0, 50);
        mk(P("g60-0060"), 0060, 0, 60);
    }
    mkdir(P("noexec-dir"), 0755);
    mk(P("noexec-dir/f"), 0644, 0, 0);
    chmod(P("noexec-dir"), 0754);
    mkdir(P("noread-dir"), 0755);
    mk(P("noread-dir/f"), 0644, 0, 0);
    chmod(P("noread-dir"), 0711);
#undef P
}

static void check(const char *d, int owned) {
    char p[256];
    const char *files[] = {"root-0600", "root-0644", "root-0604", "root-0000", "root-0755", "root-0100",
                           "u1000-0400", "u1000-0070", "g50-0040", "g60-0060", "noexec-dir/f", "noread-dir/f"};
    for (unsigned i = 0; i < sizeof files / sizeof files[0]; i++) {
        if (!owned && i >= 6 && i < 10) continue;
        snprintf(p, sizeof p, "%s/%s", d, files[i]);
        acc(p);
    }
}

static void as_user(const char *d, int owned) {
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        gid_t g[] = {50};
        setgroups(1, g);
        setresgid(100, 100, 100);
        setresuid(1000, 1000, 1000);
        printf("  as uid 1000 gid 100 groups 50:\n");
        check(d, owned);
        char p[256];
        snprintf(p, sizeof p, "%s/new", d);
        errno = 0;
        int fd = open(p, O_CREAT | O_WRONLY, 0644);
        printf("    create in a 0777 dir: %s\n", fd >= 0 ? "ok" : en(errno));
        close(fd);
        snprintf(p, sizeof p, "%s/noexec-dir/g", d);
        errno = 0;
        fd = open(p, O_CREAT | O_WRONLY, 0644);
        printf("    create in root's 0754 dir: %s\n", fd >= 0 ? "ok" : en(errno));
        snprintf(p, sizeof p, "%s/root-0644", d);
        errno = 0;
        int r = unlink(p);
        printf("    unlink root's file in a 0777 dir: %s\n", r == 0 ? "ok" : en(errno));
        fflush(stdout);
        _exit(0);
    }
    waitpid(pid, NULL, 0);
}

int main(void) {
    mkdir("m", 0755);
    int r = mount("tmpfs", "m", "tmpfs", 0, "mode=0755");
    printf("mount tmpfs on m: %d\n", r);
    tree("m/t", 1);
    tree("h", 0);
    printf("tmpfs, as root:\n");
    check("m/t", 1);
    printf("scratch dir, as root:\n");
    check("h", 0);
    printf("tmpfs:\n");
    as_user("m/t", 1);
    printf("scratch dir:\n");
    as_user("h", 0);

    // real vs effective uid
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        setresuid(1000, 0, 0);
        printf("ruid 1000, euid 0 on m/t/root-0600:\n");
        errno = 0;
        r = access("m/t/root-0600", R_OK);
        printf("  access R_OK (real uid): %s\n", r == 0 ? "ok" : en(errno));
        errno = 0;
        r = faccessat(AT_FDCWD, "m/t/root-0600", R_OK, AT_EACCESS);
        printf("  faccessat AT_EACCESS (effective uid): %s\n", r == 0 ? "ok" : en(errno));
        errno = 0;
        int fd = open("m/t/root-0600", O_RDONLY);
        printf("  open: %s\n", fd >= 0 ? "ok" : en(errno));
        setresuid(0, 1000, 0);
        printf("ruid 0, euid 1000:\n");
        errno = 0;
        r = access("m/t/root-0600", R_OK);
        printf("  access R_OK: %s\n", r == 0 ? "ok" : en(errno));
        errno = 0;
        r = faccessat(AT_FDCWD, "m/t/root-0600", R_OK, AT_EACCESS);
        printf("  faccessat AT_EACCESS: %s\n", r == 0 ? "ok" : en(errno));
        errno = 0;
        fd = open("m/t/root-0600", O_RDONLY);
        printf("  open: %s\n", fd >= 0 ? "ok" : en(errno));
        errno = 0;
        r = syscall(SYS_faccessat2, AT_FDCWD, "m/t/root-0600", R_OK, 0x8000);
        printf("  faccessat2 with a bad flag: %s\n", r == 0 ? "ok" : en(errno));
        errno = 0;
        r = access("m/t/root-0600", 8);
        printf("  access with a bad mode: %s\n", r == 0 ? "ok" : en(errno));
        fflush(stdout);
        _exit(0);
    }
    waitpid(pid, NULL, 0);

    // sticky directory
    mkdir("m/sticky", 0777);
    chmod("m/sticky", 01777);
    mk("m/sticky/roots", 0666, 0, 0);
    mk("m/sticky/users", 0666, 1000, 0);
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        setresuid(1001, 1001, 1001);
        printf("uid 1001 in a sticky 1777 dir:\n");
        errno = 0;
        r = unlink("m/sticky/roots");
        printf("  unlink root's file: %s\n", r == 0 ? "ok" : en(errno));
        errno = 0;
        r = unlink("m/sticky/users");
        printf("  unlink uid 1000's file: %s\n", r == 0 ? "ok" : en(errno));
        int fd = open("m/sticky/mine", O_CREAT | O_WRONLY, 0644);
        close(fd);
        errno = 0;
        r = unlink("m/sticky/mine");
        printf("  unlink own file: %s\n", r == 0 ? "ok" : en(errno));
        errno = 0;
        r = rename("m/sticky/roots", "m/sticky/moved");
        printf("  rename root's file: %s\n", r == 0 ? "ok" : en(errno));
        fflush(stdout);
        _exit(0);
    }
    waitpid(pid, NULL, 0);
    printf("umount: %d\n", umount2("m", MNT_DETACH));
    return 0;
}

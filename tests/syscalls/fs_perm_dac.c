// difftest: needs-root
// File permission checks for a non-root user (uid 1000, gid 100, groups 50)
// beyond open and access: chmod/chown/utimensat/truncate rules (owner,
// CAP_ rules, setgid dropped), mkdir/symlink/mknod/bind/rmdir/unlink/rename
// in directories it may not write, search permission for chdir and walks,
// exec permission, O_NOATIME, hard links to others' files, connect to a
// socket it may not write. On a tmpfs and on the scratch directory.
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"


#define T(what, call)                                                   \
    do {                                                                \
        errno = 0;                                                      \
        long r_ = (call);                                               \
        printf("  %-44s %s\n", what, r_ >= 0 ? "ok" : en(errno));       \
        if (r_ > 2) close((int)r_);                                     \
    } while (0)

static const char *D;

// The path of `n` in the directory under test (four buffers, so one call
// can take two paths).
static const char *AT(const char *n) {
    static char p[4][256];
    static int i;
    char *b = p[i++ % 4];
    snprintf(b, sizeof p[0], "%s/%s", D, n);
    return b;
}

// A copy of this program (run with "--exit" it exits at once).
static void mk(const char *path, mode_t mode, uid_t u, gid_t g) {
    static char self[4 << 20];
    static ssize_t n = -1;
    if (n < 0) {
        int in = open("/proc/self/exe", O_RDONLY);
        n = read(in, self, sizeof self);
        close(in);
    }
    int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0600);
    write(fd, self, n);
    close(fd);
    chown(path, u, g);
    chmod(path, mode);
}

static void mode_of(const char *what, const char *path) {
    struct stat st;
    if (stat(path, &st) < 0) {
        printf("  %-44s stat %s\n", what, en(errno));
        return;
    }
    printf("  %-44s mode %04o gid %d\n", what, st.st_mode & 07777, (int)st.st_gid);
}

static void tree(int owned) {
    mkdir(D, 0777);
    chmod(D, 0777);
    mk(AT("r644"), 0644, 0, 0);
    mk(AT("r666"), 0666, 0, 0);
    mk(AT("r755"), 0755, 0, 0);
    mk(AT("r700x"), 0700, 0, 0);
    mkdir(AT("rdir755"), 0755);
    mk(AT("rdir755/f"), 0666, 0, 0);
    mkdir(AT("rdir755/sub"), 0777);
    mkdir(AT("rdir700"), 0700);
    mkdir(AT("rdir711"), 0711);
    mk(AT("rdir711/f"), 0644, 0, 0);
    mkdir(AT("sticky"), 0777);
    chmod(AT("sticky"), 01777);
    mk(AT("sticky/r666"), 0666, 0, 0);
    mkdir(AT("sticky/rdir"), 0777);
    mkdir(AT("open"), 0777);
    chmod(AT("open"), 0777);
    mkdir(AT("open/rdir"), 0755);
    if (owned) {
        mk(AT("u644"), 0644, 1000, 100);
        mk(AT("u644g77"), 0644, 1000, 77);
        mk(AT("sticky/u666"), 0666, 1000, 100);
        mkdir(AT("udir"), 0755);
        chown(AT("udir"), 1000, 100);
    }
    // A socket only root may write.
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    snprintf(a.sun_path, sizeof a.sun_path, "%s/sock", D);
    unlink(a.sun_path);
    bind(s, (struct sockaddr *)&a, sizeof a);
    listen(s, 4);
    chmod(a.sun_path, 0755);
}

static int conn(const char *path) {
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    strncpy(a.sun_path, path, sizeof a.sun_path - 1);
    int r = connect(s, (struct sockaddr *)&a, sizeof a);
    int e = errno;
    close(s);
    errno = e;
    return r;
}

static int bind_at(const char *path) {
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    strncpy(a.sun_path, path, sizeof a.sun_path - 1);
    int r = bind(s, (struct sockaddr *)&a, sizeof a);
    int e = errno;
    close(s);
    errno = e;
    return r;
}

static int run(const char *path) {
    fflush(stdout);
    pid_t p = fork();
    if (p == 0) {
        execl(path, path, "--exit", (char *)NULL);
        _exit(errno);
    }
    int st;
    waitpid(p, &st, 0);
    errno = WEXITSTATUS(st);
    return errno ? -1 : 0;
}

static void as_user(int owned) {
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        gid_t g[] = {50};
        setgroups(1, g);
        setresgid(100, 100, 100);
        setresuid(1000, 1000, 1000);
        struct timespec now2[2] = {{0, UTIME_NOW}, {0, UTIME_NOW}};
        struct timespec now_omit[2] = {{0, UTIME_NOW}, {0, UTIME_OMIT}};
        struct timespec omit2[2] = {{0, UTIME_OMIT}, {0, UTIME_OMIT}};
        struct timespec fixed[2] = {{1000, 0}, {2000, 0}};
        struct timeval tv[2] = {{1000, 0}, {2000, 0}};

        printf(" attributes of root's files:\n");
        T("chmod r666", chmod(AT("r666"), 0600));
        T("truncate r644", truncate(AT("r644"), 0));
        T("truncate r666", truncate(AT("r666"), 0));
        T("utimensat r666 NULL", utimensat(AT_FDCWD, AT("r666"), NULL, 0));
        T("utimensat r644 NULL", utimensat(AT_FDCWD, AT("r644"), NULL, 0));
        T("utimensat r666 NOW,NOW", utimensat(AT_FDCWD, AT("r666"), now2, 0));
        T("utimensat r666 NOW,OMIT", utimensat(AT_FDCWD, AT("r666"), now_omit, 0));
        T("utimensat r666 explicit", utimensat(AT_FDCWD, AT("r666"), fixed, 0));
        T("utimensat missing OMIT,OMIT", utimensat(AT_FDCWD, AT("missing"), omit2, 0));
        T("utimes r666 NULL", utimes(AT("r666"), NULL));
        T("utimes r666 explicit", utimes(AT("r666"), tv));
        int fd = open(AT("r666"), O_RDWR);
        T("futimens r666 NULL", futimens(fd, NULL));
        T("futimens r666 explicit", futimens(fd, fixed));
        T("fchmod r666", fchmod(fd, 0600));
        T("fchown r666 to own ids", fchown(fd, 1000, 100));
        close(fd);
        T("chown r644 to 1000", chown(AT("r644"), 1000, -1));
        T("chown r644 -1,-1", chown(AT("r644"), -1, -1));
        T("open r644 O_NOATIME", open(AT("r644"), O_RDONLY | O_NOATIME));

        printf(" directories it may not write:\n");
        T("mkdir in rdir755", mkdir(AT("rdir755/x"), 0755));
        T("mkdir existing name in rdir755", mkdir(AT("rdir755/f"), 0755));
        T("symlink in rdir755", symlink("t", AT("rdir755/x")));
        T("symlink existing name in rdir755", symlink("t", AT("rdir755/f")));
        T("mkfifo in rdir755", mkfifo(AT("rdir755/x"), 0644));
        T("mknod chr in open", mknod(AT("open/chr"), S_IFCHR | 0644, makedev(1, 3)));
        T("bind in rdir755", bind_at(AT("rdir755/x")));
        T("unlink rdir755/f", unlink(AT("rdir755/f")));
        T("unlink rdir755/missing", unlink(AT("rdir755/missing")));
        T("rmdir rdir755/sub", rmdir(AT("rdir755/sub")));
        T("rename rdir755/f within", rename(AT("rdir755/f"), AT("rdir755/g")));
        T("rename rdir755/f out", rename(AT("rdir755/f"), AT("open/f")));
        T("rename open/rdir to another dir", rename(AT("open/rdir"), AT("sticky/mine")));
        T("rename open/rdir within", rename(AT("open/rdir"), AT("open/rdir2")));
        T("open(O_CREAT) existing rdir755/f", open(AT("rdir755/f"), O_CREAT | O_RDWR, 0644));
        T("open(O_CREAT) new rdir755/n", open(AT("rdir755/n"), O_CREAT | O_RDWR, 0644));
        T("link r666 -> open/l", link(AT("r666"), AT("open/l")));
        T("link r644 -> open/l2", link(AT("r644"), AT("open/l2")));
        T("link r666 -> rdir755/l", link(AT("r666"), AT("rdir755/l")));

        printf(" sticky directory:\n");
        T("unlink sticky/r666", unlink(AT("sticky/r666")));
        T("rmdir sticky/rdir", rmdir(AT("sticky/rdir")));
        T("rename sticky/r666", rename(AT("sticky/r666"), AT("sticky/x")));
        if (owned) {
            // (Files the user makes on the scratch directory of ruml's
            // hostfs belong to root: hostfs keeps host owners.)
            close(open(AT("sticky/own"), O_CREAT | O_WRONLY, 0644));
            T("rename own file over sticky/r666", rename(AT("sticky/own"), AT("sticky/r666")));
            T("unlink own sticky/own", unlink(AT("sticky/own")));
        }

        printf(" search and exec:\n");
        T("chdir rdir700", chdir(AT("rdir700")));
        T("stat rdir700/x", access(AT("rdir700/x"), F_OK));
        T("open rdir711 for reading", open(AT("rdir711"), O_RDONLY | O_DIRECTORY));
        T("open rdir711/f", open(AT("rdir711/f"), O_RDONLY));
        T("exec r644", run(AT("r644")));
        T("exec r700x", run(AT("r700x")));
        T("exec r755", run(AT("r755")));
        T("connect to a 0755 socket", conn(AT("sock")));
        if (owned) {
            printf(" its own files:\n");
            T("chmod u644 0640", chmod(AT("u644"), 0640));
            T("chmod u644 02755 (group 100)", chmod(AT("u644"), 02755));
            mode_of("u644", AT("u644"));
            T("chmod u644g77 02755 (not in 77)", chmod(AT("u644g77"), 02755));
            mode_of("u644g77", AT("u644g77"));
            T("chown u644 to group 50", chown(AT("u644"), -1, 50));
            mode_of("u644 (setgid cleared by chown)", AT("u644"));
            T("chown u644 to group 77", chown(AT("u644"), -1, 77));
            T("chown u644 to uid 1001", chown(AT("u644"), 1001, -1));
            T("utimensat u644 explicit", utimensat(AT_FDCWD, AT("u644"), fixed, 0));
            T("unlink sticky/u666 (own)", unlink(AT("sticky/u666")));
            T("mkdir in udir", mkdir(AT("udir/d"), 0755));
            T("chmod udir 0555", chmod(AT("udir"), 0555));
            T("mkdir in udir 0555", mkdir(AT("udir/e"), 0755));
            T("rmdir udir/d in udir 0555", rmdir(AT("udir/d")));
        }
        fflush(stdout);
        _exit(0);
    }
    waitpid(pid, NULL, 0);
}

static void as_root(void) {
    struct timespec fixed[2] = {{1000, 0}, {2000, 0}};
    printf(" root:\n");
    T("exec r700x", run(AT("r700x")));
    T("exec r644", run(AT("r644")));
    T("utimensat rdir700 explicit", utimensat(AT_FDCWD, AT("rdir700"), fixed, 0));
    T("open rdir700 for reading", open(AT("rdir700"), O_RDONLY | O_DIRECTORY));
    T("unlink sticky/x or r666", unlink(AT("sticky/x")) == 0 ? 0 : unlink(AT("sticky/r666")));
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "--exit") == 0)
        return 0;
    umask(022);
    mkdir("m", 0755);
    int r = mount("tmpfs", "m", "tmpfs", 0, "mode=0755");
    printf("mount tmpfs on m: %d\n", r);
    printf("tmpfs:\n");
    D = "m/t";
    tree(1);
    as_user(1);
    as_root();
    printf("scratch dir:\n");
    D = "h";
    tree(0);
    as_user(0);
    as_root();
    printf("umount: %d\n", umount2("m", MNT_DETACH));
    return 0;
}

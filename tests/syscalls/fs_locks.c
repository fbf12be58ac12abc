// Record locks and flock between processes: F_SETLK conflicts (EAGAIN),
// F_GETLK reporting the holder (pid, range, type), shared read locks, release
// on unlock and on closing any fd of the file, F_SETLKW waking up, EDEADLK,
// EBADF for a write lock on a read-only fd; flock per open file description
// (LOCK_NB -> EWOULDBLOCK, inherited fds share it); OFD locks.
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
#include <signal.h>
#include <sys/file.h>

#include "common.h"

static int to_child[2], to_parent[2];

static void say(int fd, char c) {
    if (write(fd, &c, 1) != 1) _exit(99);
}
static char hear(int fd) {
    char c = 0;
    if (read(fd, &c, 1) != 1) return 0;
    return c;
}

static int lk(int fd, int cmd, short type, off_t start, off_t len) {
    struct flock f = {.l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len};
    return fcntl(fd, cmd, &f);
}

static void getlk(const char *label, int fd, short type, off_t start, off_t len, pid_t expect) {
    struct flock f = {.l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len};
    if (fcntl(fd, F_GETLK, &f) < 0) {
        printf("%s: F_GETLK -1 %s\n", label, en(errno));
        return;
    }
    printf("%s: type %s", label, f.l_type == F_UNLCK ? "UNLCK" : f.l_type == F_RDLCK ? "RDLCK" : "WRLCK");
    if (f.l_type != F_UNLCK)
        printf(" start %lld len %lld pid is holder %d", (long long)f.l_start, (long long)f.l_len, f.l_pid == expect);
    printf("\n");
}

#define C(x) do { errno = 0; long r_ = (long)(x); \
    printf("  child: %s = %s\n", #x, r_ < 0 ? en(errno) : "ok"); } while (0)

int main(void) {
    alarm(20);
    umask(022);
    int fd = open("f", O_CREAT | O_RDWR, 0644);
    T(ftruncate(fd, 100));
    if (pipe(to_child) < 0 || pipe(to_parent) < 0) return 1;
    pid_t parent = getpid();
    T(lk(fd, F_SETLK, F_WRLCK, 0, 10));
    T(lk(fd, F_SETLK, F_RDLCK, 50, 10));
    fflush(stdout);
    pid_t p = fork();
    if (p == 0) {
        int cfd = open("f", O_RDWR);
        getlk("  child: getlk [0,10) W", cfd, F_WRLCK, 0, 10, parent);
        getlk("  child: getlk [5,6) R", cfd, F_RDLCK, 5, 1, parent);
        getlk("  child: getlk [10,20) W", cfd, F_WRLCK, 10, 10, parent);
        getlk("  child: getlk [55,56) R", cfd, F_RDLCK, 55, 1, parent);
        getlk("  child: getlk [55,56) W", cfd, F_WRLCK, 55, 1, parent);
        C(lk(cfd, F_SETLK, F_WRLCK, 5, 1));
        C(lk(cfd, F_SETLK, F_RDLCK, 9, 5));
        C(lk(cfd, F_SETLK, F_WRLCK, 10, 10));
        C(lk(cfd, F_SETLK, F_RDLCK, 50, 5));
        C(lk(cfd, F_SETLK, F_WRLCK, 50, 5));
        fflush(stdout);
        say(to_parent[1], 'a');
        hear(to_child[0]); /* parent unlocked [0,10) */
        C(lk(cfd, F_SETLK, F_WRLCK, 0, 5));
        fflush(stdout);
        say(to_parent[1], 'b');
        hear(to_child[0]); /* parent locked [30,40) and closed another fd */
        C(lk(cfd, F_SETLK, F_WRLCK, 30, 10));
        fflush(stdout);
        say(to_parent[1], 'c');
        hear(to_child[0]); /* parent holds [60,70) W; we block until it unlocks */
        say(to_parent[1], 'd');
        C(lk(cfd, F_SETLKW, F_WRLCK, 60, 10));
        fflush(stdout);
        say(to_parent[1], 'e');
        _exit(0);
    }
    hear(to_parent[0]);
    T(lk(fd, F_SETLK, F_UNLCK, 0, 10));
    say(to_child[1], '1');
    hear(to_parent[0]);
    getlk("parent: getlk [0,5) W after child locked it", fd, F_WRLCK, 0, 5, p);
    T(lk(fd, F_SETLK, F_WRLCK, 30, 10));
    int other = open("f", O_RDONLY);
    T(close(other)); /* releases all of this process's locks on f */
    say(to_child[1], '2');
    hear(to_parent[0]);
    T(lk(fd, F_SETLK, F_WRLCK, 60, 10));
    say(to_child[1], '3');
    hear(to_parent[0]);
    usleep(100000);
    T(lk(fd, F_SETLK, F_UNLCK, 60, 10));
    hear(to_parent[0]);
    int st;
    waitpid(p, &st, 0);
    printf("child exit %d\n", WEXITSTATUS(st));
    getlk("parent: getlk after child exit", fd, F_WRLCK, 0, 100, 0);

    /* Deadlock detection: exactly one side sees EDEADLK. */
    fflush(stdout);
    int res[2];
    if (pipe(res) < 0) return 1;
    T(lk(fd, F_SETLK, F_WRLCK, 0, 1));
    p = fork();
    if (p == 0) {
        int cfd = open("f", O_RDWR);
        lk(cfd, F_SETLK, F_WRLCK, 1, 1);
        say(to_parent[1], 'x');
        int r = lk(cfd, F_SETLKW, F_WRLCK, 0, 1);
        char c = r < 0 && errno == EDEADLK ? 'D' : r == 0 ? 'G' : 'E';
        if (write(res[1], &c, 1) != 1) _exit(1);
        _exit(0);
    }
    hear(to_parent[0]);
    usleep(100000);
    int r = lk(fd, F_SETLKW, F_WRLCK, 1, 1);
    int mine = r < 0 && errno == EDEADLK;
    if (mine) lk(fd, F_SETLK, F_UNLCK, 0, 1);
    char c = hear(res[0]);
    waitpid(p, &st, 0);
    printf("deadlock: exactly one side got EDEADLK, the other the lock: %d\n",
           (mine && c == 'G') || (!mine && r == 0 && c == 'D'));
    lk(fd, F_SETLK, F_UNLCK, 0, 0);

    /* Errors */
    int ro = open("f", O_RDONLY);
    T(lk(ro, F_SETLK, F_WRLCK, 0, 1));
    T(lk(ro, F_SETLK, F_RDLCK, 0, 1));
    T(lk(fd, F_SETLK, 42, 0, 1));
    T(lk(fd, F_SETLK, F_WRLCK, -5, 1));
    T(lk(-1, F_SETLK, F_WRLCK, 0, 1));
    int wo = open("f", O_WRONLY);
    T(lk(wo, F_SETLK, F_RDLCK, 0, 1));
    lk(ro, F_SETLK, F_UNLCK, 0, 0);

    /* flock */
    T(flock(fd, LOCK_EX));
    fflush(stdout);
    p = fork();
    if (p == 0) {
        int cfd = open("f", O_RDONLY);
        C(flock(cfd, LOCK_EX | LOCK_NB));
        C(flock(cfd, LOCK_SH | LOCK_NB));
        C(flock(fd, LOCK_EX | LOCK_NB)); /* inherited: same open file description */
        C(lk(cfd, F_SETLK, F_RDLCK, 0, 1)); /* fcntl locks are independent of flock */
        fflush(stdout);
        _exit(0);
    }
    waitpid(p, &st, 0);
    T(flock(fd, LOCK_SH));
    T(flock(ro, LOCK_SH | LOCK_NB));
    T(flock(wo, LOCK_EX | LOCK_NB));
    T(flock(fd, LOCK_UN));
    T(flock(ro, LOCK_UN));
    T(flock(wo, LOCK_EX | LOCK_NB));
    T(flock(fd, 0));
    T(flock(-1, LOCK_SH));
    T(flock(wo, LOCK_UN));

    /* OFD locks: owned by the open file description, conflict within one process. */
    struct flock o = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10};
    T(fcntl(fd, F_OFD_SETLK, &o));
    struct flock o2 = {.l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 5, .l_len = 1};
    int fd2 = open("f", O_RDWR);
    T(fcntl(fd2, F_OFD_SETLK, &o2));
    struct flock q = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1};
    T(fcntl(fd2, F_OFD_GETLK, &q));
    printf("OFD getlk: type W %d pid -1 %d\n", q.l_type == F_WRLCK, q.l_pid == -1);
    struct flock bad = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1, .l_pid = 1};
    T(fcntl(fd2, F_OFD_SETLK, &bad));
    /* A classic POSIX lock from the same process conflicts with the OFD lock. */
    T(lk(fd2, F_SETLK, F_WRLCK, 0, 1));
    close(fd2);
    close(fd);
    return 0;
}

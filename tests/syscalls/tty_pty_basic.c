/* Pseudo-terminals on a fresh devpts instance: posix_openpt, grantpt,
 * unlockpt, ptsname, TIOCGPTN and TIOCGPTPEER, openpty, opening the slave by
 * path, stat of /dev/pts/N agreeing with fstat of the slave, ttyname and
 * /proc/self/fd names, /dev/pts listing, termios and window size round
 * trips, data both ways, and what is left when the master is closed. */
#include "common.h"
#include <dirent.h>
#include <fcntl.h>
#include <pty.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

static int cmp(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The sorted names in /dev/pts, on one line. */
static void list_pts(const char *when) {
    DIR *d = opendir("/dev/pts");
    if (!d) {
        printf("%s: opendir -1 %s\n", when, en(errno));
        return;
    }
    char *names[64];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 64)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            names[n++] = strdup(e->d_name);
    closedir(d);
    qsort(names, n, sizeof *names, cmp);
    printf("%s:", when);
    for (int i = 0; i < n; i++) {
        printf(" %s", names[i]);
        free(names[i]);
    }
    printf("\n");
}

static int same_file(const struct stat *a, const struct stat *b) {
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_rdev == b->st_rdev;
}

/* Reads from a master until a line has come (the line discipline hands
 * output and echo over asynchronously, maybe in pieces). */
static ssize_t read_line(int fd, char *buf, size_t len) {
    size_t got = 0;
    while (got < len) {
        ssize_t r = read(fd, buf + got, len - got);
        if (r <= 0)
            return got ? (ssize_t)got : r;
        got += r;
        if (buf[got - 1] == '\n')
            break;
    }
    return got;
}

static void show(const char *what, const char *buf, ssize_t n) {
    printf("%s: %zd \"", what, n);
    for (ssize_t i = 0; i < n; i++) {
        if (buf[i] == '\r')
            printf("\\r");
        else if (buf[i] == '\n')
            printf("\\n");
        else
            putchar(buf[i]);
    }
    printf("\"\n");
}

int main(void) {
    alarm(10);
    report("mount devpts", mount("devpts", "/dev/pts", "devpts", 0, NULL));
    list_pts("empty instance");

    struct stat st;
    report("stat /dev/ptmx", stat("/dev/ptmx", &st));
    printf("/dev/ptmx: chr %d rdev 5:2 %d mode %o\n", S_ISCHR(st.st_mode),
           major(st.st_rdev) == 5 && minor(st.st_rdev) == 2, st.st_mode & 07777);
    report("stat /dev/pts/ptmx", stat("/dev/pts/ptmx", &st));
    printf("/dev/pts/ptmx: chr %d rdev 5:2 %d mode %o\n", S_ISCHR(st.st_mode),
           major(st.st_rdev) == 5 && minor(st.st_rdev) == 2, st.st_mode & 07777);
    struct statfs sfs;
    report("statfs /dev/pts", statfs("/dev/pts", &sfs));
    printf("devpts magic: %d\n", sfs.f_type == 0x1cd1);

    int m = posix_openpt(O_RDWR | O_NOCTTY);
    report("posix_openpt", m >= 0 ? 0 : -1);
    report("grantpt", grantpt(m));
    report("unlockpt", unlockpt(m));
    printf("isatty master: %d\n", isatty(m));
    const char *pn = ptsname(m);
    char name[64];
    snprintf(name, sizeof name, "%s", pn ? pn : "(null)");
    printf("ptsname: %s\n", name);
    unsigned n = 99;
    report("TIOCGPTN", ioctl(m, TIOCGPTN, &n));
    char want[64];
    snprintf(want, sizeof want, "/dev/pts/%u", n);
    printf("ptsname is /dev/pts/TIOCGPTN: %d\n", strcmp(want, name) == 0);

    struct stat ps, ss;
    report("stat ptsname", stat(name, &ps));
    printf("slave node: chr %d major 136 %d minor is N %d mode %o\n", S_ISCHR(ps.st_mode),
           major(ps.st_rdev) == 136, minor(ps.st_rdev) == n, ps.st_mode & 07777);
    int s = open(name, O_RDWR | O_NOCTTY);
    report("open slave", s >= 0 ? 0 : -1);
    report("fstat slave", fstat(s, &ss));
    printf("stat rdev matches fstat: %d\n", ps.st_rdev == ss.st_rdev);
    printf("stat matches fstat (dev, ino, rdev): %d\n", same_file(&ps, &ss));
    printf("isatty slave: %d\n", isatty(s));
    const char *tn = ttyname(s);
    printf("ttyname matches ptsname: %d\n", tn && strcmp(tn, name) == 0);
    char link[64], path[128];
    snprintf(link, sizeof link, "/proc/self/fd/%d", s);
    ssize_t l = readlink(link, path, sizeof path - 1);
    path[l > 0 ? l : 0] = 0;
    printf("fd link is ptsname: %d\n", strcmp(path, name) == 0);
    snprintf(link, sizeof link, "/proc/self/fd/%d", m);
    l = readlink(link, path, sizeof path - 1);
    path[l > 0 ? l : 0] = 0;
    printf("master fd link: %s\n", path);
    struct stat ms, pm;
    fstat(m, &ms);
    stat("/dev/ptmx", &pm);
    printf("master fstat matches /dev/ptmx: %d\n", same_file(&ms, &pm));
    tn = ttyname(m);
    printf("ttyname master: %s\n", tn ? tn : en(errno));

    /* TIOCGPTPEER: the slave without a path. */
    int peer = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY);
    report("TIOCGPTPEER", peer >= 0 ? 0 : -1);
    struct stat pst;
    fstat(peer, &pst);
    printf("peer is the slave: %d\n", same_file(&pst, &ss));
    tn = ttyname(peer);
    printf("ttyname peer matches ptsname: %d\n", tn && strcmp(tn, name) == 0);
    report("TIOCGPTPEER on slave", ioctl(s, TIOCGPTPEER, O_RDWR));
    report("TIOCGPTN on slave", ioctl(s, TIOCGPTN, &n));
    close(peer);

    /* openpty: a second pair. */
    int m2, s2;
    char name2[64];
    report("openpty", openpty(&m2, &s2, name2, NULL, NULL));
    printf("openpty name: %s\n", name2);
    tn = ttyname(s2);
    printf("ttyname matches openpty name: %d\n", tn && strcmp(tn, name2) == 0);
    list_pts("two ptys");

    /* termios: the slave's settings, seen from both ends. */
    struct termios t, t2, t3;
    report("tcgetattr slave", tcgetattr(s, &t));
    printf("defaults: icanon %d echo %d isig %d onlcr %d\n", !!(t.c_lflag & ICANON),
           !!(t.c_lflag & ECHO), !!(t.c_lflag & ISIG), !!(t.c_oflag & ONLCR));
    t.c_lflag &= ~ECHO;
    t.c_cc[VERASE] = 0x08;
    cfsetospeed(&t, B9600);
    report("tcsetattr slave", tcsetattr(s, TCSANOW, &t));
    report("tcgetattr master", tcgetattr(m, &t2));
    tcgetattr(s, &t3);
    printf("termios round trip: %d %d erase %d speed %d\n",
           t2.c_lflag == t.c_lflag && t2.c_iflag == t.c_iflag && t2.c_oflag == t.c_oflag,
           t3.c_lflag == t.c_lflag, t3.c_cc[VERASE] == 0x08, cfgetospeed(&t3) == B9600);
    struct winsize w = {.ws_row = 33, .ws_col = 101}, w2 = {0};
    report("TIOCSWINSZ master", ioctl(m, TIOCSWINSZ, &w));
    report("TIOCGWINSZ slave", ioctl(s, TIOCGWINSZ, &w2));
    printf("winsize: %d x %d\n", w2.ws_row, w2.ws_col);

    /* Data both ways: canonical input without echo, ONLCR output. */
    char buf[64];
    report("write master", write(m, "hello\n", 6));
    ssize_t r = read(s, buf, sizeof buf);
    show("slave read", buf, r);
    report("write slave", write(s, "out\n", 4));
    r = read_line(m, buf, sizeof buf);
    show("master read", buf, r);
    t.c_lflag |= ECHO;
    tcsetattr(s, TCSANOW, &t);
    write(m, "ab\n", 3);
    r = read_line(m, buf, sizeof buf);
    show("echo", buf, r);
    r = read(s, buf, sizeof buf);
    show("slave read 2", buf, r);

    /* The master's close hangs the slave up and removes its node. */
    close(m);
    r = read(s, buf, sizeof buf);
    printf("slave read after master close: %zd %s\n", r, r < 0 ? en(errno) : "");
    report("stat after close", stat(name, &st));
    report("open after close", open(name, O_RDWR | O_NOCTTY));
    list_pts("master closed");
    close(s);
    close(m2);
    close(s2);
    list_pts("all closed");
    return 0;
}

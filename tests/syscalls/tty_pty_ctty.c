/* Controlling terminals on ptys: a session leader that opens a slave without
 * O_NOCTTY gets it as controlling tty (not with O_NOCTTY, not when another
 * session has it), TIOCSCTTY, /dev/tty (ENXIO without a controlling tty),
 * tty_nr and tpgid in /proc/PID/stat, and job control: tcsetpgrp, ^C and ^Z
 * from the master signalling the foreground group, SIGTTIN for a background
 * reader. */
#include "common.h"
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

/* Fields 5 (pgrp), 6 (session), 7 (tty_nr) and 8 (tpgid) of /proc/PID/stat. */
struct pstat {
    long pgrp, sid, tty, tpgid;
};

static struct pstat proc_stat(pid_t pid) {
    struct pstat p = {-9, -9, -9, -9};
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return p;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return p;
    buf[n] = 0;
    char *s = strrchr(buf, ')');
    if (s)
        sscanf(s + 2, "%*c %*d %ld %ld %ld %ld", &p.pgrp, &p.sid, &p.tty, &p.tpgid);
    return p;
}

/* A new pty: master, and the slave's path. */
static int new_pty(char *name, size_t len) {
    int m = posix_openpt(O_RDWR | O_NOCTTY);
    if (m < 0 || grantpt(m) || unlockpt(m) || ptsname_r(m, name, len)) {
        printf("new pty failed: %s\n", en(errno));
        exit(1);
    }
    return m;
}

static void open_dev_tty(const char *when) {
    int fd = open("/dev/tty", O_RDWR);
    printf("%s: open /dev/tty: %s\n", when, fd >= 0 ? "ok" : en(errno));
    if (fd >= 0)
        close(fd);
}

static dev_t rdev_of(int fd) {
    struct stat st;
    fstat(fd, &st);
    return st.st_rdev;
}

/* Waits for a child and says how it ended. */
static void reap(const char *what, pid_t pid, int opts) {
    int status;
    pid_t r = waitpid(pid, &status, opts);
    if (r != pid)
        printf("%s: waitpid %s\n", what, en(errno));
    else if (WIFEXITED(status))
        printf("%s: exited %d\n", what, WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        printf("%s: killed by %s\n", what, strsignal(WTERMSIG(status)));
    else if (WIFSTOPPED(status))
        printf("%s: stopped by %s\n", what, strsignal(WSTOPSIG(status)));
    fflush(stdout);
}

/* Runs `f` in a child that is a new session leader; waits for it. */
static void in_session(const char *what, void (*f)(void)) {
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        if (setsid() < 0)
            printf("setsid: %s\n", en(errno));
        /* Closing the master of its controlling tty hangs the session up. */
        signal(SIGHUP, SIG_IGN);
        f();
        fflush(stdout);
        _exit(0);
    }
    reap(what, pid, 0);
}

static void ctty_by_open(void) {
    struct pstat p = proc_stat(getpid());
    printf("new session: tty_nr 0 %d tpgid -1 %d\n", p.tty == 0, p.tpgid == -1);
    open_dev_tty("no ctty");
    char name[64];
    int m = new_pty(name, sizeof name);
    printf("master open gives no ctty: %d\n", proc_stat(getpid()).tty == 0);
    int s = open(name, O_RDWR | O_NOCTTY);
    printf("O_NOCTTY open gives no ctty: %d\n", proc_stat(getpid()).tty == 0);
    close(s);
    s = open(name, O_RDWR);
    p = proc_stat(getpid());
    printf("open without O_NOCTTY: ctty acquired %d\n", p.tty != 0 && p.tty == (long)rdev_of(s));
    printf("tpgid is our group: %d\n", p.tpgid == getpgrp());
    printf("tcgetsid is us: %d\n", tcgetsid(s) == getpid());
    printf("tcgetpgrp is our group: %d\n", tcgetpgrp(s) == getpgrp());
    open_dev_tty("with ctty");
    int t = open("/dev/tty", O_RDWR);
    report("write /dev/tty", write(t, "via tty\n", 8));
    char buf[32];
    size_t n = 0;
    while (n < sizeof buf && (n == 0 || buf[n - 1] != '\n')) {
        ssize_t r = read(m, buf + n, sizeof buf - n);
        if (r <= 0)
            break;
        n += r;
    }
    printf("master got: %d\n", n == 9 && memcmp(buf, "via tty\r\n", 9) == 0);
    close(t);

    /* Another session cannot take it by opening it. */
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        setsid();
        int s2 = open(name, O_RDWR);
        printf("other session: open ok %d, no ctty %d\n", s2 >= 0, proc_stat(getpid()).tty == 0);
        report("other session: TIOCSCTTY", ioctl(s2, TIOCSCTTY, 0));
        open_dev_tty("other session");
        fflush(stdout);
        _exit(0);
    }
    reap("other session", pid, 0);
    /* A child (not a session leader) shares the session's ctty. */
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        struct pstat c = proc_stat(getpid());
        printf("child: same ctty %d\n", c.tty == (long)rdev_of(s));
        open_dev_tty("child");
        report("child: TIOCSCTTY", ioctl(s, TIOCSCTTY, 0));
        fflush(stdout);
        _exit(0);
    }
    reap("child", pid, 0);
    /* Giving it up. */
    report("TIOCNOTTY", ioctl(s, TIOCNOTTY));
    printf("after TIOCNOTTY: tty_nr 0 %d\n", proc_stat(getpid()).tty == 0);
    open_dev_tty("after TIOCNOTTY");
    close(s);
    close(m);
}

static void ctty_by_ioctl(void) {
    char name[64];
    int m = new_pty(name, sizeof name);
    int s = open(name, O_RDWR | O_NOCTTY);
    open_dev_tty("before TIOCSCTTY");
    report("TIOCSCTTY", ioctl(s, TIOCSCTTY, 0));
    printf("ctty is the slave: %d\n", proc_stat(getpid()).tty == (long)rdev_of(s));
    open_dev_tty("after TIOCSCTTY");
    report("TIOCSCTTY again", ioctl(s, TIOCSCTTY, 0));
    char name2[64];
    int m2 = new_pty(name2, sizeof name2);
    int s2 = open(name2, O_RDWR | O_NOCTTY);
    report("TIOCSCTTY second tty", ioctl(s2, TIOCSCTTY, 0));
    report("TIOCSCTTY on master", ioctl(m2, TIOCSCTTY, 0));
    close(s2);
    close(m2);
    close(s);
    close(m);
}

static volatile sig_atomic_t got;
static void on_sig(int sig) { got = sig; }

static void job_control(void) {
    char name[64];
    int m = new_pty(name, sizeof name);
    int s = open(name, O_RDWR); /* becomes the ctty */
    pid_t leader = getpid();
    signal(SIGTTOU, SIG_IGN);

    /* A foreground job killed by ^C. */
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        setpgid(0, 0);
        tcsetpgrp(s, getpid());
        pause();
        _exit(3);
    }
    setpgid(pid, pid);
    while (tcgetpgrp(s) != pid)
        usleep(1000);
    struct pstat p = proc_stat(pid);
    printf("fg job: tpgid is its group %d, same tty %d\n", p.tpgid == pid,
           p.tty == (long)rdev_of(s));
    printf("leader sees tpgid: %d\n", proc_stat(leader).tpgid == pid);
    report("write ^C", write(m, "\003", 1));
    reap("fg job", pid, 0);
    report("tcsetpgrp back", tcsetpgrp(s, getpgrp()));

    /* ^Z stops the foreground job; SIGCONT and ^C end it. */
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        setpgid(0, 0);
        tcsetpgrp(s, getpid());
        for (;;)
            pause();
    }
    setpgid(pid, pid);
    while (tcgetpgrp(s) != pid)
        usleep(1000);
    write(m, "\032", 1);
    reap("^Z", pid, WUNTRACED);
    kill(pid, SIGCONT);
    write(m, "\003", 1);
    reap("after SIGCONT and ^C", pid, 0);
    tcsetpgrp(s, getpgrp());

    /* A foreground reader gets the line; a signal handler sees ^\ (sent
     * once the line is read: ISIG characters flush pending input). */
    int sync[2];
    pipe(sync);
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        setpgid(0, 0);
        tcsetpgrp(s, getpid());
        signal(SIGQUIT, on_sig);
        char buf[32];
        ssize_t n = read(s, buf, sizeof buf);
        printf("reader: %zd %d\n", n, n == 4 && memcmp(buf, "abc\n", 4) == 0);
        write(sync[1], "r", 1);
        while (!got)
            usleep(1000);
        printf("reader: handler got %s\n", strsignal(got));
        fflush(stdout);
        _exit(0);
    }
    setpgid(pid, pid);
    while (tcgetpgrp(s) != pid)
        usleep(1000);
    write(m, "abc\n", 4);
    char c;
    read(sync[0], &c, 1);
    write(m, "\034", 1);
    reap("reader", pid, 0);
    tcsetpgrp(s, getpgrp());
    char drain[64];
    fcntl(m, F_SETFL, O_NONBLOCK);
    while (read(m, drain, sizeof drain) > 0) {
    }

    /* A background reader is stopped by SIGTTIN. */
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        setpgid(0, 0);
        char c;
        ssize_t n = read(s, &c, 1);
        printf("background read returned %zd\n", n);
        fflush(stdout);
        _exit(0);
    }
    setpgid(pid, pid);
    reap("background reader", pid, WUNTRACED);
    kill(pid, SIGKILL);
    reap("background reader", pid, 0);
    close(s);
    close(m);
}

int main(void) {
    alarm(10);
    /* Whoever started us may have left job-control signals ignored (a
     * shell's background jobs ignore SIGINT and SIGQUIT). */
    int sigs[] = {SIGINT, SIGQUIT, SIGTSTP, SIGTTIN, SIGTTOU, SIGHUP};
    for (unsigned i = 0; i < sizeof sigs / sizeof *sigs; i++)
        signal(sigs[i], SIG_DFL);
    report("mount devpts", mount("devpts", "/dev/pts", "devpts", 0, NULL));
    in_session("open", ctty_by_open);
    in_session("ioctl", ctty_by_ioctl);
    in_session("jobs", job_control);
    return 0;
}

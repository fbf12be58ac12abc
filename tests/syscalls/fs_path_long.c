// Name length limits: a 255-byte component works, 256 and 300 give ENAMETOOLONG
// (for stat, open, mkdir, O_CREAT, symlink targets stay fine), and whole paths
// of 4096+ bytes give ENAMETOOLONG while long-but-legal relative paths work.
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

int main(void) {
    char name[400], path[9000];
    memset(name, 'a', 255);
    name[255] = 0;
    int fd;
    T(fd = open(name, O_CREAT | O_WRONLY, 0644));
    close(fd);
    T(access(name, F_OK));
    T(unlink(name));
    T(mkdir(name, 0755));
    T(rmdir(name));
    memset(name, 'b', 256);
    name[256] = 0;
    T(open(name, O_CREAT | O_WRONLY, 0644));
    T(mkdir(name, 0755));
    T(access(name, F_OK));
    memset(name, 'c', 300);
    name[300] = 0;
    struct stat s;
    T(stat(name, &s));
    T(lstat(name, &s));
    T(open(name, O_RDONLY));
    T(open(name, O_CREAT | O_WRONLY, 0644));
    T(mkdir(name, 0755));
    T(unlink(name));
    T(rmdir(name));
    T(chdir(name));
    T(symlink("x", name));
    T(link(".", name));
    T(rename(".", name));
    /* A long component in the middle: ENAMETOOLONG even though a prefix is missing. */
    snprintf(path, sizeof path, "missing/%s/x", name);
    T(stat(path, &s));
    snprintf(path, sizeof path, "%s/x", name);
    T(stat(path, &s));
    /* A symlink whose target is long but whose components are short is fine. */
    T(mkdir("d", 0755));
    path[0] = 0;
    for (int i = 0; i < 200; i++) strcat(path, "./");
    strcat(path, "d");
    T(symlink(path, "ln"));
    T(stat("ln", &s));
    S("ln is a dir", S_ISDIR(s.st_mode));
    /* A symlink target of 300 bytes in one component resolves to ENAMETOOLONG. */
    T(symlink(name, "ln300"));
    T(stat("ln300", &s));
    T(lstat("ln300", &s));
    S("lstat size 300", s.st_size == 300);

    /* Whole-path limits: 4095 bytes + NUL is the maximum length accepted. */
    path[0] = 0;
    while (strlen(path) < 4090) strcat(path, "./");
    while (strlen(path) < 4094) strcat(path, "/");
    strcat(path, "d");
    printf("len %zu\n", strlen(path));
    T(stat(path, &s));
    strcat(path, "/");
    printf("len %zu\n", strlen(path));
    T(stat(path, &s));
    T(open(path, O_RDONLY));
    T(mkdir(path, 0755));
    T(chdir(path));
    T(access(path, F_OK));
    memset(path, '/', 6000);
    path[6000] = 0;
    T(stat(path, &s));
    T(symlink(path, "toolong"));
    T(symlink("d", path));

    /* A deep tree: each mkdir uses a short relative path. */
    memset(name, 'n', 200);
    name[200] = 0;
    T(chdir("d"));
    int ok = 1;
    for (int i = 0; i < 25 && ok; i++) {
        if (mkdir(name, 0755) < 0 || chdir(name) < 0) ok = 0;
    }
    S("deep tree built by chdir", ok);
    char cwd[8192];
    /* The raw syscall (glibc's getcwd() falls back to walking ".."). */
    V(syscall(SYS_getcwd, cwd, sizeof cwd));
    int fd2;
    T(fd2 = open("here", O_CREAT | O_WRONLY, 0644));
    close(fd2);
    T(access("here", F_OK));
    T(mkdir("sub", 0755));
    T(rename("here", "sub/there"));
    T(stat("sub/there", &s));
    T(unlink("sub/there"));
    T(rmdir("sub"));
    return 0;
}

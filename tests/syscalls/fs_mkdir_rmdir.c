// mkdir/rmdir/unlink edge cases: EEXIST (files, dirs, dangling symlinks, ".",
// "/"), ENOENT/ENOTDIR parents, trailing slashes, mkdir mode bits (sticky kept,
// setgid dropped, umask applied), ENOTEMPTY, rmdir "." (EINVAL) and ".."
// (ENOTEMPTY), rmdir of files/symlinks (ENOTDIR), unlink of dirs (EISDIR).
// difftest: needs-root (rmdir("/proc") is EBUSY for real root; in a user namespace the host root is not writable: EACCES)
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

static void mode(const char *p) {
    struct stat s;
    if (lstat(p, &s) < 0)
        printf("mode %s: -1 %s\n", p, en(errno));
    else
        printf("mode %s: %s %04o\n", p, S_ISDIR(s.st_mode) ? "dir" : "other", (unsigned)(s.st_mode & 07777));
}

int main(void) {
    umask(022);
    T(mkdir("d", 0777));
    mode("d");
    T(mkdir("d", 0777));
    T(mkdir("d/", 0777));
    T(mkdir("e/", 0700));
    mode("e");
    T(mkdir("e2//", 0700));
    T(mkdir("sticky", 01777));
    mode("sticky");
    T(mkdir("sgid", 02777));
    mode("sgid");
    T(mkdir("suid", 04777));
    mode("suid");
    umask(0);
    T(mkdir("nomask", 0777));
    mode("nomask");
    umask(077);
    T(mkdir("masked", 0777));
    mode("masked");
    umask(022);
    int fd = open("f", O_CREAT | O_WRONLY, 0644);
    close(fd);
    T(symlink("nowhere", "dangle"));
    T(symlink("d", "ld"));
    T(mkdir("f", 0755));
    T(mkdir("f/", 0755));
    T(mkdir("dangle", 0755));
    S("dangle target not created", access("nowhere", F_OK) != 0);
    T(mkdir("ld", 0755));
    T(mkdir(".", 0755));
    T(mkdir("..", 0755));
    T(mkdir("d/.", 0755));
    T(mkdir("/", 0755));
    T(mkdir("", 0755));
    T(mkdir("missing/x", 0755));
    T(mkdir("f/x", 0755));
    T(mkdir("ld/x", 0755));
    S("ld/x created inside d", access("d/x", F_OK) == 0);

    /* rmdir */
    T(rmdir("d"));
    T(rmdir("d/x/."));
    T(rmdir("d/x/.."));
    T(rmdir("."));
    T(rmdir(".."));
    T(rmdir("/"));
    T(rmdir("/proc"));
    T(rmdir(""));
    T(rmdir("missing"));
    T(rmdir("missing/x"));
    T(rmdir("f"));
    T(rmdir("f/"));
    T(rmdir("ld"));
    T(rmdir("ld/"));
    T(rmdir("dangle"));
    T(rmdir("d/x/"));
    T(rmdir("e//"));
    T(rmdir("ld/x"));
    T(mkdir("d/x", 0755));
    T(rmdir("ld/x/"));
    T(rmdir("d"));
    S("d gone", access("d", F_OK) != 0);
    S("ld still a (now dangling) symlink", access("ld", F_OK) != 0 && faccessat(AT_FDCWD, "ld", F_OK, AT_SYMLINK_NOFOLLOW) == 0);

    /* unlink */
    T(mkdir("u", 0755));
    T(symlink("u", "lu"));
    T(unlink("u"));
    T(unlink("u/"));
    T(unlink("."));
    T(unlink(".."));
    T(unlink("u/."));
    T(unlink("f/"));
    T(unlink("lu/"));
    T(unlink("lu"));
    S("u survives unlinking its symlink", access("u", F_OK) == 0);
    T(unlink("f"));
    T(unlink("f"));
    T(unlink(""));
    T(unlink("dangle"));
    /* rmdir removes directories only when empty, including of hidden files */
    T(mkdir("h", 0755));
    fd = open("h/.hidden", O_CREAT | O_WRONLY, 0644);
    close(fd);
    T(rmdir("h"));
    T(unlink("h/.hidden"));
    T(rmdir("h"));
    /* A chain of nested empty dirs must be removed bottom-up. */
    T(mkdir("n1", 0755));
    T(mkdir("n1/n2", 0755));
    T(mkdir("n1/n2/n3", 0755));
    T(rmdir("n1"));
    T(rmdir("n1/n2/n3"));
    T(rmdir("n1/n2"));
    T(rmdir("n1"));
    return 0;
}

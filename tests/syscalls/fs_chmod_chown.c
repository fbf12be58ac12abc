// chmod/fchmod/fchmodat mode bits (setuid, setgid, sticky, type bits ignored),
// chmod through symlinks, setgid directories passing the bit to new subdirs,
// chown/fchown/lchown/fchownat to one's own ids (no-op, AT_SYMLINK_NOFOLLOW),
// suid/sgid cleared by chown of a file, and the error cases.
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
        printf("mode %s: %04o\n", p, (unsigned)(s.st_mode & 07777));
}

int main(void) {
    struct stat s;
    uid_t u = getuid();
    gid_t g = getgid();
    umask(022);
    int fd = open("f", O_CREAT | O_RDONLY, 0644);
    T(mkdir("d", 0755));
    T(symlink("f", "lf"));
    T(symlink("nowhere", "dangle"));
    mode("f");
    T(chmod("f", 0600));
    mode("f");
    T(chmod("f", 04755));
    mode("f");
    T(chmod("f", 02755));
    mode("f");
    T(chmod("f", 01777));
    mode("f");
    T(chmod("f", 07777));
    mode("f");
    T(chmod("f", 0));
    mode("f");
    T(chmod("f", S_IFDIR | 0644));
    mode("f");
    S("still a regular file", stat("f", &s) == 0 && S_ISREG(s.st_mode));
    T(fchmod(fd, 0640));
    mode("f");
    T(fchmodat(AT_FDCWD, "f", 0604, 0));
    mode("f");
    T(chmod("lf", 0611));
    mode("f");
    S("symlink mode unchanged (0777)", lstat("lf", &s) == 0 && (s.st_mode & 0777) == 0777);
    T(chmod("dangle", 0644));
    T(chmod("missing", 0644));
    T(chmod("f/", 0644));
    T(fchmod(-1, 0644));
    T(fchmod(1000, 0644));
    T(chmod("d", 01777));
    mode("d");
    T(chmod("d", 0755));

    /* setgid directories: new subdirectories inherit S_ISGID, files do not get it. */
    T(chmod("d", 02775));
    mode("d");
    T(mkdir("d/sub", 0755));
    mode("d/sub");
    int f2 = open("d/file", O_CREAT | O_WRONLY, 0644);
    close(f2);
    mode("d/file");
    S("d/file group is d's group", stat("d", &s) == 0 && (f2 = s.st_gid, stat("d/file", &s) == 0) && s.st_gid == (gid_t)f2);

    /* chown to our own ids is a no-op; -1 leaves a field alone. */
    T(chown("f", u, g));
    T(chown("f", -1, -1));
    T(fchown(fd, u, -1));
    T(lchown("lf", u, g));
    T(lchown("dangle", u, g));
    T(chown("dangle", u, g));
    T(fchownat(AT_FDCWD, "dangle", u, g, AT_SYMLINK_NOFOLLOW));
    T(fchownat(AT_FDCWD, "dangle", u, g, 0));
    T(fchownat(AT_FDCWD, "f", u, g, 0x1234));
    T(chown("missing", u, g));
    T(fchown(-1, u, g));
    S("owner is us", stat("f", &s) == 0 && s.st_uid == u && s.st_gid == g);

    /* chown of a file clears setuid, and setgid when group-executable. */
    T(chmod("f", 06755));
    T(chown("f", u, -1));
    mode("f");
    T(chmod("f", 06745));
    T(chown("f", -1, g));
    mode("f");
    T(chmod("f", 06755));
    T(chown("f", -1, -1));
    mode("f");
    /* ...but not for directories. */
    T(chmod("d", 06755));
    T(chown("d", u, g));
    mode("d");
    close(fd);
    return 0;
}

// The UTS names through procfs: /proc/sys/kernel/{hostname,domainname,
// ostype,osrelease} match uname() (with a trailing newline), follow
// sethostname/setdomainname, and writing hostname changes uname's nodename.
// difftest: needs-root (a user namespace may not write /proc/sys/kernel/hostname)
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "common.h"


static int read_proc(const char *path, char *buf, size_t n) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) return -errno;
    ssize_t r = read(fd, buf, n - 1);
    close(fd);
    if (r < 0) return -errno;
    buf[r] = 0;
    return r;
}

static void cmp(const char *path, const char *want) {
    char buf[128];
    int n = read_proc(path, buf, sizeof buf);
    if (n < 0) {
        printf("%s: %s\n", path, en(-n));
        return;
    }
    size_t l = strlen(want);
    printf("%s: matches uname + newline: %d\n", path, (size_t)n == l + 1 && !memcmp(buf, want, l) && buf[l] == '\n');
}

int main(void) {
    struct utsname u;
    sethostname("procfs-host", 11);
    setdomainname("procfs.domain", 13);
    uname(&u);
    cmp("/proc/sys/kernel/hostname", u.nodename);
    cmp("/proc/sys/kernel/domainname", u.domainname);
    cmp("/proc/sys/kernel/ostype", u.sysname);
    cmp("/proc/sys/kernel/osrelease", u.release);
    char buf[128];
    int n = read_proc("/proc/sys/kernel/hostname", buf, sizeof buf);
    printf("hostname file: %d %s", n, n > 0 ? buf : "\n");
    int fd = open("/proc/sys/kernel/hostname", O_WRONLY);
    printf("open hostname for writing: %s\n", fd >= 0 ? "ok" : en(errno));
    if (fd >= 0) {
        printf("write: %zd\n", write(fd, "written-via-proc\n", 17));
        close(fd);
    }
    uname(&u);
    printf("uname nodename now: %s\n", u.nodename);
    fd = open("/proc/sys/kernel/domainname", O_WRONLY);
    if (fd >= 0) {
        write(fd, "dom2", 4);
        close(fd);
    }
    uname(&u);
    printf("uname domainname now: %s\n", u.domainname);
    return 0;
}

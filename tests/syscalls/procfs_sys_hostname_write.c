// Writing /proc/sys/kernel/hostname and domainname changes what uname reports
// (and a short write replaces the whole value; a trailing newline is
// stripped), and the new name is inherited by a forked child.
// difftest: needs-root
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"

static void put(const char *path, const char *s) {
    int fd = open(path, O_WRONLY);
    if (fd < 0) {
        printf("open %s for writing: %s\n", path, en(errno));
        return;
    }
    ssize_t n = write(fd, s, strlen(s));
    int shown = (int)strcspn(s, "\n");
    printf("write \"%.*s\" to %s: %zd%s%s\n", shown > 20 ? 20 : shown, s, path, n, n < 0 ? " " : "",
           n < 0 ? en(errno) : "");
    close(fd);
}

static void show(const char *path) {
    char b[128] = {0};
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        printf("read %s: %s\n", path, en(errno));
        return;
    }
    ssize_t n = read(fd, b, sizeof b - 1);
    close(fd);
    printf("%s: %zd \"", path, n);
    for (ssize_t i = 0; i < n; i++)
        printf(b[i] == '\n' ? "\\n" : "%c", b[i]);
    printf("\"\n");
}

int main(void) {
    alarm(10);
    struct utsname u;
    put("/proc/sys/kernel/hostname", "written-host\n");
    uname(&u);
    printf("uname nodename: %s\n", u.nodename);
    show("/proc/sys/kernel/hostname");
    put("/proc/sys/kernel/hostname", "ab");
    uname(&u);
    printf("after shorter write: %s\n", u.nodename);
    put("/proc/sys/kernel/domainname", "written.domain");
    uname(&u);
    printf("uname domainname: %s\n", u.domainname);
    show("/proc/sys/kernel/domainname");
    char longname[100];
    memset(longname, 'h', sizeof longname - 1);
    longname[99] = 0;
    put("/proc/sys/kernel/hostname", longname);
    uname(&u);
    printf("after a 99-byte write: length %zu\n", strlen(u.nodename));
    char hn[128] = {0};
    gethostname(hn, sizeof hn);
    printf("gethostname agrees: %d\n", strcmp(hn, u.nodename) == 0);
    put("/proc/sys/kernel/hostname", "child-sees-this");
    fflush(stdout);
    pid_t kid = fork();
    if (kid == 0) {
        struct utsname c;
        uname(&c);
        _exit(strcmp(c.nodename, "child-sees-this") == 0 ? 0 : 1);
    }
    int st;
    waitpid(kid, &st, 0);
    printf("child inherits it: %d\n", WIFEXITED(st) && WEXITSTATUS(st) == 0);
    return 0;
}

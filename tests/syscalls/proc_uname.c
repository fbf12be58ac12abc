// uname and the UTS names: sysname "Linux", machine "x86_64", non-empty
// release/version; sethostname/setdomainname show up in uname, gethostname
// and getdomainname (exactly len bytes copied); a child shares the names;
// length limits (64 ok, 65 EINVAL), negative length, bad pointers.
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"


int main(void) {
    struct utsname u;
    printf("uname: %d\n", uname(&u));
    printf("sysname: %s\n", u.sysname);
    printf("machine: %s\n", u.machine);
    printf("release non-empty, starts with a digit: %d\n", u.release[0] >= '0' && u.release[0] <= '9');
    printf("version non-empty: %d\n", u.version[0] != 0);
    printf("nodename NUL-terminated within 65: %d\n", memchr(u.nodename, 0, 65) != NULL);

    const char *name = "ruml-difftest-host";
    printf("sethostname: %d\n", sethostname(name, strlen(name)));
    uname(&u);
    printf("uname nodename: %s\n", u.nodename);
    char buf[256];
    memset(buf, 'x', sizeof buf);
    printf("gethostname: %d %s\n", gethostname(buf, sizeof buf), buf);
    // sethostname copies exactly len bytes
    printf("sethostname(\"abcdef\", 3): %d\n", sethostname("abcdef", 3));
    uname(&u);
    printf("nodename: %s\n", u.nodename);

    printf("setdomainname: %d\n", setdomainname("example.test", 12));
    uname(&u);
    printf("uname domainname: %s\n", u.domainname);
    memset(buf, 0, sizeof buf);
    printf("getdomainname: %d %s\n", getdomainname(buf, sizeof buf), buf);

    char big[80];
    memset(big, 'h', sizeof big);
    errno = 0;
    int r = sethostname(big, 64);
    printf("sethostname 64 bytes: %d %s\n", r, en(errno));
    uname(&u);
    printf("nodename length: %zu\n", strlen(u.nodename));
    errno = 0;
    r = sethostname(big, 65);
    printf("sethostname 65 bytes: %d %s\n", r, en(errno));
    errno = 0;
    r = syscall(SYS_sethostname, big, -1);
    printf("sethostname length -1: %d %s\n", r, en(errno));
    errno = 0;
    r = syscall(SYS_sethostname, (char *)8, 5);
    printf("sethostname bad pointer: %d %s\n", r, en(errno));
    errno = 0;
    r = setdomainname(big, 65);
    printf("setdomainname 65 bytes: %d %s\n", r, en(errno));
    errno = 0;
    r = syscall(SYS_uname, (struct utsname *)8);
    printf("uname bad pointer: %d %s\n", r, en(errno));
    errno = 0;
    r = sethostname("", 0);
    uname(&u);
    printf("empty hostname: %d, nodename \"%s\"\n", r, u.nodename);

    sethostname("from-parent", 11);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        struct utsname c;
        uname(&c);
        printf("child sees nodename: %s\n", c.nodename);
        sethostname("from-child", 10);
        fflush(stdout);
        _exit(0);
    }
    waitpid(pid, NULL, 0);
    uname(&u);
    printf("parent sees the child's change (same UTS namespace): %s\n", u.nodename);
    return 0;
}

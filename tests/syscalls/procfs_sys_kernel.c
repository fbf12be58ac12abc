// /proc/sys/kernel: hostname and domainname equal uname's (also after
// sethostname/setdomainname), ostype is "Linux", osrelease and version equal
// uname's, pid_max parses, random/boot_id is stable and random/uuid fresh on
// every read (format checked), read-only entries refuse writers, and
// /proc/sys lists kernel, vm and fs.
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "common.h"

static char text[4096];

static int slurp(const char *path) {
    return slurp_into(path, text, sizeof text);
}

/* Compares a one-line /proc/sys file with `want` + "\n". */
static void equals(const char *label, const char *path, const char *want) {
    if (slurp(path) < 0) {
        printf("%s: %s\n", label, en(errno));
        return;
    }
    size_t n = strlen(want);
    printf("%s: %d\n", label, strncmp(text, want, n) == 0 && text[n] == '\n' && text[n + 1] == 0);
}

static int is_uuid(const char *s) {
    for (int i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-')
                return 0;
        } else if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i])) {
            return 0;
        }
    }
    return s[36] == '\n' && s[37] == 0;
}

int main(void) {
    alarm(10);
    struct utsname u;
    uname(&u);
    equals("hostname equals uname nodename", "/proc/sys/kernel/hostname", u.nodename);
    equals("domainname equals uname domainname", "/proc/sys/kernel/domainname", u.domainname);
    equals("ostype is Linux", "/proc/sys/kernel/ostype", "Linux");
    printf("uname sysname: %s\n", u.sysname);
    equals("osrelease equals uname release", "/proc/sys/kernel/osrelease", u.release);
    equals("version equals uname version", "/proc/sys/kernel/version", u.version);

    report("sethostname", sethostname("difftest-host", 13));
    equals("hostname after sethostname", "/proc/sys/kernel/hostname", "difftest-host");
    report("setdomainname", setdomainname("difftest.domain", 15));
    equals("domainname after setdomainname", "/proc/sys/kernel/domainname", "difftest.domain");
    uname(&u);
    printf("uname agrees: %s %s\n", u.nodename, u.domainname);

    if (slurp("/proc/sys/kernel/pid_max") < 0) {
        printf("pid_max: %s\n", en(errno));
    } else {
        long v = atol(text);
        printf("pid_max parses and exceeds our pid: %d\n", v > getpid());
    }
    if (slurp("/proc/sys/kernel/random/boot_id") < 0) {
        printf("boot_id: %s\n", en(errno));
    } else {
        char first[64];
        snprintf(first, sizeof first, "%.63s", text);
        slurp("/proc/sys/kernel/random/boot_id");
        printf("boot_id is a uuid: %d, stable: %d\n", is_uuid(first), strcmp(first, text) == 0);
    }
    if (slurp("/proc/sys/kernel/random/uuid") < 0) {
        printf("uuid: %s\n", en(errno));
    } else {
        char first[64];
        snprintf(first, sizeof first, "%.63s", text);
        slurp("/proc/sys/kernel/random/uuid");
        printf("uuid is a uuid: %d, fresh each read: %d\n", is_uuid(first), strcmp(first, text) != 0);
    }

    report("open ostype for writing", open("/proc/sys/kernel/ostype", O_WRONLY) < 0 ? -1 : 0);
    report("open osrelease for writing", open("/proc/sys/kernel/osrelease", O_WRONLY) < 0 ? -1 : 0);
    report("open nonexistent sysctl", open("/proc/sys/kernel/no_such_sysctl", O_RDONLY) < 0 ? -1 : 0);

    DIR *d = opendir("/proc/sys");
    int kernel = 0, vm = 0, fs = 0;
    struct dirent *e;
    while (d && (e = readdir(d))) {
        kernel += strcmp(e->d_name, "kernel") == 0 && e->d_type == DT_DIR;
        vm += strcmp(e->d_name, "vm") == 0 && e->d_type == DT_DIR;
        fs += strcmp(e->d_name, "fs") == 0 && e->d_type == DT_DIR;
    }
    if (d)
        closedir(d);
    printf("/proc/sys lists kernel %d vm %d fs %d\n", kernel, vm, fs);
    return 0;
}

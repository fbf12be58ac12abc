// System-wide /proc files: meminfo (MemTotal/MemFree lines in kB, free <=
// total), uptime (two floats), loadavg (three floats, running/total, last
// pid), cpuinfo "processor" lines, version prefix, stat's cpu/btime lines,
// filesystems listing proc and tmpfs as nodev, mounts with proc on /proc (and
// the mounts -> self/mounts link), the /proc directory itself (statfs magic,
// numeric entries including ours and init), no new names, and seeking.
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "common.h"

static char text[1 << 17];

static int slurp(const char *path) {
    return slurp_into(path, text, sizeof text);
}

/* The value of a "Key:   123 kB" line, or -1; *kb says whether it ends in kB. */
static long meminfo(const char *key, int *kb) {
    char *l = strstr(text, key);
    if (!l || (l != text && l[-1] != '\n'))
        return -1;
    l += strlen(key);
    long v = strtol(l, &l, 10);
    *kb = strncmp(l, " kB\n", 4) == 0;
    return v;
}

int main(void) {
    alarm(10);
    if (slurp("/proc/meminfo") < 0) {
        printf("meminfo: %s\n", en(errno));
    } else {
        int kb1 = 0, kb2 = 0;
        long total = meminfo("MemTotal:", &kb1), mfree = meminfo("MemFree:", &kb2);
        printf("meminfo starts with MemTotal: %d\n", strncmp(text, "MemTotal:", 9) == 0);
        printf("MemTotal > 0: %d (kB %d), MemFree in [0, MemTotal]: %d (kB %d)\n", total > 0, kb1,
               mfree >= 0 && mfree <= total, kb2);
        int kb3 = 0;
        printf("has MemAvailable: %d, SwapTotal: %d\n", meminfo("MemAvailable:", &kb3) >= 0,
               meminfo("SwapTotal:", &kb3) >= 0);
    }

    if (slurp("/proc/uptime") < 0) {
        printf("uptime: %s\n", en(errno));
    } else {
        double up = -1, idle = -1;
        char nl = 0;
        int n = sscanf(text, "%lf %lf%c", &up, &idle, &nl);
        printf("uptime: %d fields, newline %d, up > 0 %d, idle >= 0 %d\n", n, nl == '\n', up > 0, idle >= 0);
        char *dot = strchr(text, '.');
        printf("two decimals: %d\n", dot && isdigit((unsigned char)dot[1]) && isdigit((unsigned char)dot[2]) && dot[3] == ' ');
    }

    if (slurp("/proc/loadavg") < 0) {
        printf("loadavg: %s\n", en(errno));
    } else {
        double a, b, c;
        int run = -1, tot = -1, last = -1;
        int n = sscanf(text, "%lf %lf %lf %d/%d %d", &a, &b, &c, &run, &tot, &last);
        printf("loadavg: %d fields, loads >= 0 %d, 1 <= running <= total %d, last pid > 0 %d\n", n,
               a >= 0 && b >= 0 && c >= 0, run >= 1 && run <= tot, last > 0);
    }

    if (slurp("/proc/cpuinfo") < 0) {
        printf("cpuinfo: %s\n", en(errno));
    } else {
        int procs = 0;
        for (char *l = text; l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
            procs += strncmp(l, "processor", 9) == 0;
        printf("cpuinfo starts with processor: %d, processor lines >= 1: %d\n", strncmp(text, "processor", 9) == 0,
               procs >= 1);
    }

    if (slurp("/proc/version") < 0)
        printf("version: %s\n", en(errno));
    else
        printf("version starts with \"Linux version \": %d, one line %d\n", strncmp(text, "Linux version ", 14) == 0,
               strchr(text, '\n') == text + strlen(text) - 1);

    if (slurp("/proc/stat") < 0) {
        printf("stat: %s\n", en(errno));
    } else {
        printf("stat: starts with \"cpu \" %d, has btime %d, processes %d, procs_running %d\n",
               strncmp(text, "cpu ", 4) == 0, strstr(text, "\nbtime ") != NULL, strstr(text, "\nprocesses ") != NULL,
               strstr(text, "\nprocs_running ") != NULL);
    }

    if (slurp("/proc/filesystems") < 0) {
        printf("filesystems: %s\n", en(errno));
    } else {
        printf("filesystems: nodev proc %d, nodev tmpfs %d, nodev sysfs %d\n", strstr(text, "nodev\tproc\n") != NULL,
               strstr(text, "nodev\ttmpfs\n") != NULL, strstr(text, "nodev\tsysfs\n") != NULL);
    }

    if (slurp("/proc/mounts") < 0) {
        printf("mounts: %s\n", en(errno));
    } else {
        int found = 0, sixfields = 1;
        for (char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
            char dev[256], dir[256], type[64], opts[512];
            int a, b;
            int n = sscanf(l, "%255s %255s %63s %511s %d %d", dev, dir, type, opts, &a, &b);
            sixfields &= n == 6;
            if (n >= 3 && strcmp(dir, "/proc") == 0 && strcmp(type, "proc") == 0)
                found++;
        }
        printf("mounts: proc on /proc of type proc: %d, all lines have 6 fields: %d\n", found > 0, sixfields);
    }
    char lk[64] = {0};
    ssize_t n = readlink("/proc/mounts", lk, sizeof lk - 1);
    printf("/proc/mounts link: %s\n", n < 0 ? en(errno) : lk);

    struct stat st;
    report("stat /proc", stat("/proc", &st));
    printf("/proc is a directory: %d, mode %o\n", S_ISDIR(st.st_mode), st.st_mode & 07777);
    struct statfs sf;
    report("statfs /proc", statfs("/proc", &sf));
    printf("f_type is PROC_SUPER_MAGIC: %d\n", sf.f_type == 0x9fa0);
    stat("/proc/meminfo", &st);
    printf("/proc/meminfo: regular %d, mode %o, size %ld\n", S_ISREG(st.st_mode), st.st_mode & 07777, (long)st.st_size);

    DIR *d = opendir("/proc");
    int self = 0, init = 0, numeric_ok = 1, names = 0, meminfo_e = 0;
    char me[16];
    snprintf(me, sizeof me, "%d", getpid());
    struct dirent *e;
    while (d && (e = readdir(d))) {
        names++;
        if (isdigit((unsigned char)e->d_name[0])) {
            numeric_ok &= strspn(e->d_name, "0123456789") == strlen(e->d_name) && e->d_type == DT_DIR;
            self += strcmp(e->d_name, me) == 0;
            init += strcmp(e->d_name, "1") == 0;
        }
        meminfo_e += strcmp(e->d_name, "meminfo") == 0 && e->d_type == DT_REG;
        self += 10 * (strcmp(e->d_name, "self") == 0 && e->d_type == DT_LNK);
    }
    if (d)
        closedir(d);
    printf("/proc listing: our pid %d, self link %d, pid 1 %d, numeric entries are dirs %d, meminfo %d\n", self % 10,
           self / 10, init, numeric_ok, meminfo_e);

    /* Names that do not exist cannot be created. (Whether root may open or
       unlink existing files depends on the host's user mapping: not tested.) */
    report("create /proc/newfile", open("/proc/newfile", O_WRONLY | O_CREAT, 0644) < 0 ? -1 : 0);
    report("mkdir /proc/newdir", mkdir("/proc/newdir", 0755));
    report("open /proc/nonexistent", open("/proc/nonexistent", O_RDONLY) < 0 ? -1 : 0);
    int fd = open("/proc/uptime", O_RDONLY);
    char c;
    report("lseek /proc/uptime to 2", lseek(fd, 2, SEEK_SET));
    report("read after seek", read(fd, &c, 1));
    printf("third byte is a digit or dot: %d\n", isdigit((unsigned char)c) || c == '.');
    return 0;
}

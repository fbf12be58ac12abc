// /proc/self/stat, /proc/self/status and /proc/self/comm of the running
// process: the comm field (also with spaces and parentheses), state R, pid,
// ppid, pgrp, session and thread counts compared with the syscalls, the
// status Name/State/Tgid/Pid/PPid/Uid/Gid lines, and comm changes made by
// prctl(PR_SET_NAME) and by writing /proc/self/comm, also for a thread.
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common.h"

static char text[8192];

static int slurp(const char *path) {
    return slurp_into(path, text, sizeof text);
}

/* Field `key` of /proc/self/status (the text after the tab), or "". */
static const char *status_field(const char *key) {
    static char v[256];
    v[0] = 0;
    size_t kl = strlen(key);
    for (char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        if (strncmp(l, key, kl) == 0 && l[kl] == ':') {
            char *s = l + kl + 1;
            while (*s == '\t' || *s == ' ')
                s++;
            size_t n = strcspn(s, "\n");
            memcpy(v, s, n < 255 ? n : 255);
            v[n < 255 ? n : 255] = 0;
            break;
        }
    }
    return v;
}

static void check_stat(const char *label) {
    if (slurp("/proc/self/stat") < 0) {
        printf("%s: open /proc/self/stat: %s\n", label, en(errno));
        return;
    }
    char *lp = strchr(text, '('), *rp = strrchr(text, ')');
    if (!lp || !rp) {
        printf("%s: malformed\n", label);
        return;
    }
    long pid = atol(text);
    printf("%s: comm field \"%.*s\"\n", label, (int)(rp - lp - 1), lp + 1);
    char state;
    long ppid, pgrp, sid;
    int n = sscanf(rp + 2, "%c %ld %ld %ld", &state, &ppid, &pgrp, &sid);
    /* fields after ")" : 3 state ... 20 num_threads ... 23 vsize */
    char *f = rp + 2;
    long fields[60] = {0};
    int i = 3;
    while (*f && i < 60) {
        fields[i++] = atol(f);
        f = strchr(f, ' ');
        if (!f)
            break;
        f++;
    }
    printf("  parsed %d, state %c, pid %d ppid %d pgrp %d session %d, threads %ld, vsize>0 %d, fields %d\n", n, state,
           pid == getpid(), ppid == getppid(), pgrp == getpgrp(), sid == getsid(0), fields[20], fields[23] > 0, i - 1);
}

static void *thread_main(void *arg) {
    (void)arg;
    prctl(PR_SET_NAME, "worker");
    char path[64];
    snprintf(path, sizeof path, "/proc/self/task/%ld/comm", (long)syscall(SYS_gettid));
    char buf[32] = {0};
    int fd = open(path, O_RDONLY);
    if (fd >= 0) {
        read(fd, buf, sizeof buf - 1);
        close(fd);
    }
    printf("thread comm via task/TID/comm: %s", fd < 0 ? "(open failed)\n" : buf);
    fd = open("/proc/thread-self/comm", O_RDONLY);
    memset(buf, 0, sizeof buf);
    if (fd >= 0) {
        read(fd, buf, sizeof buf - 1);
        close(fd);
    }
    printf("thread comm via thread-self: %s", fd < 0 ? "(open failed)\n" : buf);
    return NULL;
}

int main(void) {
    alarm(10);
    check_stat("initial");
    if (slurp("/proc/self/comm") >= 0)
        printf("comm file: %s", text);
    else
        printf("comm file: %s\n", en(errno));

    if (slurp("/proc/self/status") < 0) {
        printf("status: %s\n", en(errno));
    } else {
        printf("Name: %s\n", status_field("Name"));
        printf("State: %s\n", status_field("State"));
        printf("Tgid is getpid: %d\n", atol(status_field("Tgid")) == getpid());
        printf("Pid is getpid: %d\n", atol(status_field("Pid")) == getpid());
        printf("PPid is getppid: %d\n", atol(status_field("PPid")) == getppid());
        char want[128];
        snprintf(want, sizeof want, "%d\t%d\t%d\t%d", getuid(), geteuid(), getuid(), getuid());
        printf("Uid line matches: %d\n", strcmp(status_field("Uid"), want) == 0);
        snprintf(want, sizeof want, "%d\t%d\t%d\t%d", getgid(), getegid(), getgid(), getgid());
        printf("Gid line matches: %d\n", strcmp(status_field("Gid"), want) == 0);
        printf("Threads: %s\n", status_field("Threads"));
        printf("has VmRSS: %d, has SigBlk: %d\n", status_field("VmRSS")[0] != 0, status_field("SigBlk")[0] != 0);
    }

    report("PR_SET_NAME renamed-process-name-long", prctl(PR_SET_NAME, "renamed-process-name-long"));
    char name[32] = {0};
    prctl(PR_GET_NAME, name);
    printf("PR_GET_NAME: %s\n", name);
    check_stat("after PR_SET_NAME");
    slurp("/proc/self/comm");
    printf("comm file: %s", text);
    slurp("/proc/self/status");
    printf("status Name: %s\n", status_field("Name"));

    prctl(PR_SET_NAME, "a) b (c");
    check_stat("tricky name");

    int fd = open("/proc/self/comm", O_WRONLY);
    report("open comm for writing", fd < 0 ? -1 : 0);
    report("write comm", write(fd, "written", 7));
    close(fd);
    memset(name, 0, sizeof name);
    prctl(PR_GET_NAME, name);
    printf("PR_GET_NAME after writing comm: %s\n", name);

    /* A second thread. */
    pthread_t t;
    fflush(stdout);
    pthread_create(&t, NULL, thread_main, NULL);
    pthread_join(t, NULL);
    slurp("/proc/self/comm");
    printf("process comm unchanged by the thread: %s", text);
    check_stat("after the thread exited");
    return 0;
}

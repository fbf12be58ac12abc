// Process groups and sessions: setsid makes a new session and group led by
// the caller (EPERM for a group leader), getsid/getpgid on self and others,
// setpgid moving children between groups of the same session, and its
// errors: EPERM across sessions or for a session leader, EACCES after the
// child has exec'd, ESRCH for non-children, EINVAL for negative pgids.
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"


struct helper {
    pid_t pid;
    int to[2], from[2];
};

static void say(const char *what, int r) {
    int e = errno;
    printf("%s: %s\n", what, r < 0 ? en(e) : r == 0 ? "0" : "ok");
}

// A child that runs `cmd` bytes from the parent: 's' setsid, 'g' setpgid(0,0),
// 'q' quit; it answers each with its (pgid, sid) relative to itself.
static struct helper helper(void) {
    struct helper h;
    pipe(h.to);
    pipe(h.from);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        char c;
        while (read(h.to[0], &c, 1) == 1) {
            int r = 0, e = 0;
            if (c == 's') r = setsid();
            if (c == 'g') r = setpgid(0, 0);
            if (c == 'q') _exit(0);
            e = errno;
            int ans[4] = {r < 0 ? -e : 0, getpgid(0) == getpid(), getsid(0) == getpid(), getpgrp() == getpgid(0)};
            write(h.from[1], ans, sizeof ans);
        }
        _exit(1);
    }
    h.pid = pid;
    return h;
}

static void ask(struct helper *h, const char *what, char c) {
    write(h->to[1], &c, 1);
    if (c == 'q') {
        waitpid(h->pid, NULL, 0);
        printf("%s: done\n", what);
        return;
    }
    int ans[4];
    read(h->from[0], ans, sizeof ans);
    printf("%s: %s, leads own group %d, leads own session %d, getpgrp==getpgid(0) %d\n", what,
           ans[0] ? en(-ans[0]) : "0", ans[1], ans[2], ans[3]);
}

int main(void) {
    alarm(20);
    pid_t me = getpid();
    printf("getpgid(0) == getpgrp(): %d\n", getpgid(0) == getpgrp());
    printf("getsid(0) == getsid(me): %d\n", getsid(0) == getsid(me));
    printf("we lead our own group: %d\n", getpgrp() == me);

    struct helper ha = helper();
    pid_t a = ha.pid;
    printf("child starts in our group: %d, our session: %d\n", getpgid(a) == getpgrp(), getsid(a) == getsid(0));
    ask(&ha, "child setsid", 's');
    printf("  seen from parent: sid of child is its pid %d, pgid too %d\n", getsid(a) == a, getpgid(a) == a);
    ask(&ha, "child setsid again (now a group leader)", 's');
    ask(&ha, "session leader setpgid(0,0)", 'g');
    errno = 0;
    say("parent setpgid(child in other session, its own pid)", setpgid(a, a));
    errno = 0;
    say("parent setpgid(child in other session, our group)", setpgid(a, getpgrp()));
    ask(&ha, "first child quits", 'q');

    // groups within our session
    struct helper hb = helper();
    pid_t b = hb.pid;
    errno = 0;
    say("setpgid(child, child)", setpgid(b, b));
    printf("  child now leads its group: %d\n", getpgid(b) == b);
    ask(&hb, "child setsid as a group leader", 's');
    ask(&hb, "child setpgid(0,0) again", 'g');
    struct helper hc = helper();
    pid_t c = hc.pid;
    errno = 0;
    say("setpgid(second child, first child's group)", setpgid(c, b));
    printf("  second child joined: %d\n", getpgid(c) == b);
    errno = 0;
    say("setpgid(second child, 0) back to its own", setpgid(c, 0));
    printf("  second child leads its own group: %d\n", getpgid(c) == c);
    errno = 0;
    say("setpgid(second child, a group that does not exist)", setpgid(c, 99999));
    errno = 0;
    say("setpgid(second child, -1)", setpgid(c, -1));
    errno = 0;
    say("setpgid(non-child pid 1, 1)", setpgid(1, 1));
    errno = 0;
    say("setpgid(no such pid)", setpgid(99999, 99999));
    errno = 0;
    say("getpgid(no such pid)", getpgid(99999));
    errno = 0;
    say("getsid(no such pid)", getsid(99999));
    // Linux starts init in session 0 and process group 0 (the kernel's).
    errno = 0;
    int v = getsid(1);
    printf("getsid(1) (init, another session): %d %s\n", v, en(errno));
    errno = 0;
    v = getpgid(1);
    printf("getpgid(1): %d %s\n", v, en(errno));
    // signal a whole group
    errno = 0;
    say("kill(-group of second child, 0)", kill(-c, 0));
    errno = 0;
    say("kill(-99999, 0)", kill(-99999, 0));
    ask(&hb, "second child quits", 'q');
    ask(&hc, "third child quits", 'q');

    // after exec, the parent may no longer change the child's group
    int go[2];
    pipe(go);
    fflush(stdout);
    pid_t d = fork();
    if (d == 0) {
        dup2(go[0], 0);
        close(go[1]);
        char *av[] = {"cat", NULL};
        char *ev[] = {NULL};
        execve("/bin/cat", av, ev);
        _exit(127);
    }
    close(go[0]);
    // wait until the child has exec'd: setpgid starts failing with EACCES
    int r = 0;
    for (int i = 0; i < 2000; i++) {
        r = setpgid(d, d);
        if (r < 0) break;
        usleep(1000);
    }
    say("setpgid after the child exec'd", r);
    close(go[1]);
    waitpid(d, NULL, 0);

    // setsid as a group leader fails; in a fresh child it works
    fflush(stdout);
    pid_t e = fork();
    if (e == 0) {
        setpgid(0, 0);
        errno = 0;
        int r1 = setsid();
        int e1 = errno;
        _exit(r1 < 0 && e1 == EPERM ? 1 : 2);
    }
    int st;
    waitpid(e, &st, 0);
    printf("group leader's setsid fails with EPERM: %d\n", WEXITSTATUS(st) == 1);
    return 0;
}

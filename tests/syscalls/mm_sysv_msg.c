// System V message queues: msgsnd/msgrcv with type selection (0 = first,
// >0 = exact type, <0 = lowest type <= |t|, MSG_EXCEPT), FIFO order per type,
// IPC_NOWAIT ENOMSG/EAGAIN, E2BIG vs. MSG_NOERROR truncation, IPC_STAT counts
// (qnum, cbytes, lspid/lrpid compared), a receiver blocked until a child
// sends, IPC_SET of qbytes, and removal (EIDRM for a blocked receiver).
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"

struct msg {
    long type;
    char text[64];
};

static int q;
static void snd(long type, const char *text) {
    struct msg m = {.type = type};
    strcpy(m.text, text);
    if (msgsnd(q, &m, strlen(text) + 1, IPC_NOWAIT) < 0)
        printf("msgsnd type %ld: %s\n", type, en(errno));
}

static void rcv(const char *what, size_t sz, long type, int flags) {
    struct msg m;
    memset(&m, 0, sizeof m);
    ssize_t n = msgrcv(q, &m, sz, type, flags | IPC_NOWAIT);
    if (n < 0)
        printf("%s: -1 %s\n", what, en(errno));
    else
        printf("%s: %zd type %ld \"%.*s\"\n", what, n, m.type, (int)n, m.text);
}

static void qstat(const char *what) {
    struct msqid_ds ds;
    msgctl(q, IPC_STAT, &ds);
    printf("%s: qnum %lu cbytes %lu\n", what, (unsigned long)ds.msg_qnum, (unsigned long)ds.__msg_cbytes);
}

int main(void) {
    alarm(10);
    q = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
    printf("msgget: %d\n", q >= 0);
    qstat("empty");
    rcv("receive from empty queue", 64, 0, 0);

    snd(3, "three-a");
    snd(1, "one");
    snd(3, "three-b");
    snd(2, "two");
    snd(5, "five");
    qstat("five messages");
    rcv("type 0 (first)", 64, 0, 0);
    rcv("type 3 (first of type 3)", 64, 3, 0);
    rcv("type -4 (lowest <= 4)", 64, -4, 0);
    rcv("type 3 with MSG_EXCEPT", 64, 3, MSG_EXCEPT);
    rcv("type 9 (none)", 64, 9, 0);
    qstat("one left");
    rcv("into 2 bytes", 2, 0, 0);
    rcv("into 2 bytes with MSG_NOERROR", 2, 0, MSG_NOERROR);
    qstat("empty again");

    struct msg m = {.type = 0};
    report("msgsnd type 0", msgsnd(q, &m, 1, 0));
    m.type = -1;
    report("msgsnd negative type", msgsnd(q, &m, 1, 0));
    m.type = 1;
    report("msgsnd negative size", msgsnd(q, &m, (size_t)-1, 0));
    report("msgsnd size 0", msgsnd(q, &m, 0, 0));
    rcv("zero-length message", 64, 0, 0);
    report("msgrcv negative size", msgrcv(q, &m, (size_t)-1, 0, IPC_NOWAIT));

    /* Queue full: msg_qbytes lowered to 100 bytes. */
    struct msqid_ds ds;
    msgctl(q, IPC_STAT, &ds);
    ds.msg_qbytes = 100;
    report("IPC_SET qbytes 100", msgctl(q, IPC_SET, &ds));
    char big[64];
    memset(big, 'x', sizeof big);
    memcpy(m.text, big, sizeof big);
    report("send 64 bytes", msgsnd(q, &m, 64, IPC_NOWAIT));
    report("send 64 more (full), IPC_NOWAIT", msgsnd(q, &m, 64, IPC_NOWAIT));
    report("send 36 (fits exactly)", msgsnd(q, &m, 36, IPC_NOWAIT));
    qstat("full");
    rcv("drain 1", 64, 0, 0);
    rcv("drain 2", 64, 0, 0);

    /* Blocking receive, satisfied by a child. */
    fflush(stdout);
    pid_t kid = fork();
    if (kid == 0) {
        usleep(20000);
        struct msg c = {.type = 7};
        strcpy(c.text, "from child");
        _exit(msgsnd(q, &c, 11, 0) == 0 ? 0 : 1);
    }
    memset(&m, 0, sizeof m);
    ssize_t n = msgrcv(q, &m, sizeof m.text, 7, 0);
    printf("blocking msgrcv: %zd \"%s\"\n", n, m.text);
    int st;
    waitpid(kid, &st, 0);
    msgctl(q, IPC_STAT, &ds);
    printf("lspid is the child: %d, lrpid is us: %d\n", ds.msg_lspid == kid, ds.msg_lrpid == getpid());

    /* Removal wakes a blocked receiver with EIDRM. */
    fflush(stdout);
    kid = fork();
    if (kid == 0) {
        struct msg c;
        ssize_t r = msgrcv(q, &c, sizeof c.text, 0, 0);
        _exit(r < 0 && errno == EIDRM ? 0 : 1);
    }
    usleep(200000); /* no counter shows a blocked receiver; give it time to block */
    report("IPC_RMID", msgctl(q, IPC_RMID, NULL));
    waitpid(kid, &st, 0);
    printf("blocked receiver got EIDRM: %d\n", WEXITSTATUS(st) == 0);
    report("msgsnd after removal", msgsnd(q, &m, 1, IPC_NOWAIT));

    int k = msgget(0x7777, IPC_CREAT | IPC_EXCL | 0600);
    printf("keyed: %d\n", k >= 0);
    report("IPC_EXCL again", msgget(0x7777, IPC_CREAT | IPC_EXCL | 0600));
    printf("lookup: %d\n", msgget(0x7777, 0) == k);
    report("missing key", msgget(0x7778, 0));
    report("msgctl bad cmd", msgctl(k, 12345, &ds));
    msgctl(k, IPC_RMID, NULL);
    return 0;
}

/* POSIX message queues: open, send with priorities, receive in priority
 * order, attributes, non-blocking empty receive, notify registration and
 * unlink; the queue lives in the VM's own IPC namespace. */
#include "common.h"
#include <fcntl.h>
#include <mqueue.h>
#include <signal.h>

int main(void)
{
    struct mq_attr a = {.mq_maxmsg = 4, .mq_msgsize = 32};
    mqd_t q = mq_open("/difftest-q", O_CREAT | O_EXCL | O_RDWR, 0600, &a);
    printf("open: %d\n", q >= 0);
    printf("open excl again: %s\n", q >= 0 && mq_open("/difftest-q", O_CREAT | O_EXCL | O_RDWR, 0600, &a) < 0 ? en(errno) : "ok");
    printf("send low: %d\n", mq_send(q, "low", 3, 1));
    printf("send high: %d\n", mq_send(q, "high", 4, 9));
    printf("send mid: %d\n", mq_send(q, "mid", 3, 5));
    mq_getattr(q, &a);
    printf("attr: maxmsg %ld msgsize %ld curmsgs %ld\n", a.mq_maxmsg, a.mq_msgsize, a.mq_curmsgs);
    char buf[64];
    unsigned prio;
    for (int i = 0; i < 3; i++) {
        ssize_t n = mq_receive(q, buf, sizeof buf, &prio);
        printf("recv: %.*s prio %u\n", (int)n, buf, prio);
    }
    printf("recv small buffer: %s\n", mq_receive(q, buf, 8, &prio) < 0 ? en(errno) : "ok");
    struct mq_attr nb = {.mq_flags = O_NONBLOCK};
    mq_setattr(q, &nb, NULL);
    printf("recv empty nonblock: %s\n", mq_receive(q, buf, sizeof buf, &prio) < 0 ? en(errno) : "ok");
    printf("send too long: %s\n", mq_send(q, "0123456789012345678901234567890123456789", 40, 0) < 0 ? en(errno) : "ok");
    struct sigevent ev = {.sigev_notify = SIGEV_NONE};
    printf("notify: %d\n", mq_notify(q, &ev));
    printf("close: %d\n", mq_close(q));
    printf("unlink: %d\n", mq_unlink("/difftest-q"));
    printf("unlink again: %s\n", mq_unlink("/difftest-q") < 0 ? en(errno) : "ok");
    printf("open missing: %s\n", mq_open("/difftest-q", O_RDWR) < 0 ? en(errno) : "ok");
    printf("bad name: %s\n", mq_open("no-slash/x", O_CREAT | O_RDWR, 0600, NULL) < 0 ? en(errno) : "ok");
    return 0;
}

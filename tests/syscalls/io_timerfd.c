// timerfd: create flags and clock checks, an unarmed timer reads EAGAIN and
// reports zero, a one-shot timer's read returns a count >= 1 and disarms it,
// interval timers accumulate expirations, TFD_TIMER_ABSTIME, old_value from
// settime, disarming with a zero it_value, short buffers and bad timespecs.
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

static long long ns(struct timespec t) { return t.tv_sec * 1000000000LL + t.tv_nsec; }

int main(void) {
    alarm(10);
    uint64_t v;
    report("timerfd_create CLOCK_PROCESS_CPUTIME_ID", timerfd_create(CLOCK_PROCESS_CPUTIME_ID, 0));
    report("timerfd_create clock 99", timerfd_create(99, 0));
    report("timerfd_create bad flags", timerfd_create(CLOCK_MONOTONIC, 0x40));
    int rt = timerfd_create(CLOCK_REALTIME, TFD_CLOEXEC);
    printf("CLOCK_REALTIME ok %d, cloexec %d\n", rt >= 0, fcntl(rt, F_GETFD));
    int boot = timerfd_create(CLOCK_BOOTTIME, 0);
    printf("CLOCK_BOOTTIME ok %d\n", boot >= 0);

    int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
    printf("nonblock %d\n", (fcntl(fd, F_GETFL) & O_NONBLOCK) != 0);
    report("read unarmed", read(fd, &v, 8));
    struct itimerspec cur;
    report("gettime unarmed", timerfd_gettime(fd, &cur));
    printf("unarmed value %lld interval %lld\n", ns(cur.it_value), ns(cur.it_interval));
    struct pollfd pf = {.fd = fd, .events = POLLIN};
    printf("poll unarmed: %d\n", poll(&pf, 1, 0));

    /* One-shot 100ms. */
    struct itimerspec its = {.it_value = {0, 100000000}};
    report("settime 100ms", timerfd_settime(fd, 0, &its, NULL));
    timerfd_gettime(fd, &cur);
    printf("remaining in (0, 100ms]: %d\n", ns(cur.it_value) > 0 && ns(cur.it_value) <= 100000000);
    report("read before expiry", read(fd, &v, 8));
    printf("poll until expiry: %d\n", poll(&pf, 1, 5000));
    v = 0;
    report("read after expiry", read(fd, &v, 8));
    printf("count >= 1: %d\n", v >= 1);
    report("read again", read(fd, &v, 8));
    timerfd_gettime(fd, &cur);
    printf("after expiry value %lld interval %lld\n", ns(cur.it_value), ns(cur.it_interval));

    /* Blocking read of a one-shot. */
    int b = timerfd_create(CLOCK_MONOTONIC, 0);
    its.it_value.tv_nsec = 10000000;
    timerfd_settime(b, 0, &its, NULL);
    v = 0;
    report("blocking read", read(b, &v, 8));
    printf("count >= 1: %d\n", v >= 1);

    /* Interval: 1ms period, 30ms of sleep gives many expirations. */
    its = (struct itimerspec){.it_value = {0, 1000000}, .it_interval = {0, 1000000}};
    timerfd_settime(fd, 0, &its, NULL);
    usleep(30000);
    v = 0;
    report("read interval timer", read(fd, &v, 8));
    printf("count >= 20: %d\n", v >= 20);
    struct itimerspec old;
    its = (struct itimerspec){0};
    report("disarm", timerfd_settime(fd, 0, &its, &old));
    printf("old interval 1ms: %d, old value <= 1ms: %d\n", ns(old.it_interval) == 1000000,
           ns(old.it_value) <= 1000000);
    timerfd_gettime(fd, &cur);
    printf("disarmed value %lld\n", ns(cur.it_value));
    usleep(3000);
    report("read after disarm", read(fd, &v, 8));

    /* Long timer then disarm: no expiry ever. */
    its.it_value.tv_sec = 100;
    timerfd_settime(fd, 0, &its, NULL);
    its.it_value.tv_sec = 0;
    timerfd_settime(fd, 0, &its, &old);
    printf("old value of 100s timer > 99s: %d\n", ns(old.it_value) > 99000000000LL);

    /* Absolute time. */
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    now.tv_nsec += 10000000;
    if (now.tv_nsec >= 1000000000) {
        now.tv_nsec -= 1000000000;
        now.tv_sec++;
    }
    its = (struct itimerspec){.it_value = now};
    report("settime ABSTIME +10ms", timerfd_settime(fd, TFD_TIMER_ABSTIME, &its, NULL));
    printf("poll: %d\n", poll(&pf, 1, 5000));
    v = 0;
    report("read", read(fd, &v, 8));
    printf("count == 1: %d\n", v == 1);
    its.it_value = (struct timespec){1, 0}; /* long past */
    report("settime ABSTIME in the past", timerfd_settime(fd, TFD_TIMER_ABSTIME, &its, NULL));
    v = 0;
    report("read immediately", read(fd, &v, 8));
    printf("count == 1: %d\n", v == 1);

    /* Errors. */
    its = (struct itimerspec){.it_value = {0, 1000000000}};
    report("settime tv_nsec 1e9", timerfd_settime(fd, 0, &its, NULL));
    its = (struct itimerspec){.it_value = {-1, 0}};
    report("settime negative", timerfd_settime(fd, 0, &its, NULL));
    its = (struct itimerspec){.it_value = {1, 0}};
    report("settime bad flags", timerfd_settime(fd, 0x100, &its, NULL));
    report("settime on a non-timerfd", timerfd_settime(0, 0, &its, NULL));
    report("settime NULL", syscall(SYS_timerfd_settime, fd, 0, NULL, NULL));
    uint32_t small;
    report("read 4 bytes", read(fd, &small, 4));
    report("write", write(fd, &v, 8));
    return 0;
}

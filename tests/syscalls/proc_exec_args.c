// argv/envp passing through execve at scale: thousands of arguments and
// environment strings, empty strings, strings up to MAX_ARG_STRLEN, and the
// E2BIG limits (one string too long, total beyond RLIMIT_STACK/4, too many
// pointers). The child re-checks everything with a hash.
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"


extern char **environ;

static uint64_t fnv(uint64_t h, const char *s) {
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return (h ^ 0xff) * 1099511628211ULL;
}

static uint64_t hash_vec(char *const *v, long *count, long *bytes) {
    uint64_t h = 1469598103934665603ULL;
    *count = 0;
    *bytes = 0;
    for (; *v; v++) {
        h = fnv(h, *v);
        ++*count;
        *bytes += strlen(*v);
    }
    return h;
}

static int child_mode(int argc, char **argv) {
    long ac, ab, ec, eb;
    uint64_t ha = hash_vec(argv + 1, &ac, &ab);
    uint64_t he = hash_vec(environ, &ec, &eb);
    printf("  child: argc=%d args=%ld argbytes=%ld envc=%ld envbytes=%ld\n", argc, ac, ab, ec, eb);
    printf("  child: arg hash %016llx env hash %016llx\n", (unsigned long long)ha,
           (unsigned long long)he);
    fflush(stdout);
    return 0;
}

static const char *self;

static void run(const char *what, char **av, char **ev) {
    long ac, ab, ec, eb;
    uint64_t ha = hash_vec(av + 1, &ac, &ab);
    uint64_t he = hash_vec(ev, &ec, &eb);
    printf("%s:\n  expect: args=%ld argbytes=%ld envc=%ld envbytes=%ld\n", what, ac, ab, ec, eb);
    printf("  expect: arg hash %016llx env hash %016llx\n", (unsigned long long)ha,
           (unsigned long long)he);
    fflush(stdout);
    int p[2];
    pipe(p);
    pid_t pid = fork();
    if (pid == 0) {
        close(p[0]);
        execve(self, av, ev);
        exec_failed(p[1]);
    }
    int st;
    int e = exec_outcome(pid, p, &st);
    if (e)
        printf("  execve failed: %s\n", en(e));
    else
        printf("  exit status %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "--child") == 0)
        return child_mode(argc, argv);
    self = argv[0];
    // Fix the stack limit: the argument space is RLIMIT_STACK / 4.
    struct rlimit rl;
    getrlimit(RLIMIT_STACK, &rl);
    rl.rlim_cur = 8 << 20;
    printf("set RLIMIT_STACK 8M: %d\n", setrlimit(RLIMIT_STACK, &rl) == 0);

    static char *av[400000], *ev[400000];
    char *noenv[] = {NULL};

    av[0] = "prog";
    av[1] = "--child";
    av[2] = NULL;
    run("minimal", av, noenv);

    // empty strings and odd characters
    char *odd[] = {"prog", "--child", "", "", "tab\there", "new\nline", "\xff\xfe", "=", NULL};
    char *oddenv[] = {"", "=", "A=", "=B", "NOEQ", "A=1", "A=2", "UTF=\xc3\xa9", NULL};
    run("empty and odd strings", odd, oddenv);

    // many arguments and environment strings
    int n = 5000;
    static char store[5000][16], estore[5000][24];
    av[0] = "prog";
    av[1] = "--child";
    for (int i = 0; i < n; i++) {
        snprintf(store[i], sizeof store[i], "arg%d", i);
        av[2 + i] = store[i];
        snprintf(estore[i], sizeof estore[i], "VAR%d=value%d", i, i * 7);
        ev[i] = estore[i];
    }
    av[2 + n] = NULL;
    ev[n] = NULL;
    run("5000 arguments and 5000 environment strings", av, ev);

    // one long string: MAX_ARG_STRLEN is 32 pages including the NUL
    size_t maxlen = 32 * 4096;
    char *big = malloc(maxlen + 2);
    memset(big, 'L', maxlen + 1);
    big[maxlen - 1] = 0;
    av[2] = big;
    av[3] = NULL;
    run("argument of MAX_ARG_STRLEN-1 bytes", av, noenv);
    big[maxlen - 1] = 'L';
    big[maxlen] = 0;
    run("argument of MAX_ARG_STRLEN bytes", av, noenv);
    big[maxlen - 1] = 0;
    av[2] = NULL;
    char *benv = malloc(maxlen + 8);
    strcpy(benv, "BIG=");
    memset(benv + 4, 'E', maxlen - 5);
    benv[maxlen - 1] = 0;
    char *bev[] = {benv, NULL};
    run("environment string of MAX_ARG_STRLEN-1 bytes", av, bev);
    benv[maxlen - 1] = 'E';
    benv[maxlen] = 0;
    run("environment string of MAX_ARG_STRLEN bytes", av, bev);

    // total size: 14 strings of 128K = 1.75M fits in 2M; 17 do not
    big[maxlen - 1] = 0;
    for (int i = 0; i < 17; i++) av[2 + i] = big;
    av[2 + 14] = NULL;
    run("14 arguments of 128K", av, noenv);
    av[2 + 14] = big;
    av[2 + 17] = NULL;
    run("17 arguments of 128K", av, noenv);
    // split across argv and envp
    for (int i = 0; i < 9; i++) ev[i] = benv;
    benv[maxlen - 1] = 0;
    ev[9] = NULL;
    av[2 + 9] = NULL;
    run("9 args + 9 env strings of 128K", av, ev);

    // pointers count too: 300000 empty strings need 2.4M of pointers
    for (int i = 0; i < 300000; i++) av[2 + i] = "";
    av[2 + 300000] = NULL;
    run("300000 empty arguments", av, noenv);
    av[2 + 100000] = NULL;
    run("100000 empty arguments", av, noenv);

    // a smaller stack limit shrinks the space
    rl.rlim_cur = 1 << 20;
    printf("set RLIMIT_STACK 1M: %d\n", setrlimit(RLIMIT_STACK, &rl) == 0);
    for (int i = 0; i < 3; i++) av[2 + i] = big;
    av[2 + 3] = NULL;
    run("3 arguments of 128K with 1M stack", av, noenv);
    av[2 + 1] = NULL;
    run("1 argument of 128K with 1M stack", av, noenv);
    return 0;
}

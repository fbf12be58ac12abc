// difftest: dynamic
// A dynamically linked program through execve: the kernel maps PT_INTERP
// (ld.so, AT_BASE != 0) and passes AT_PHDR/AT_ENTRY of the program itself;
// it re-executes itself with arguments, runs directly under the loader
// (ld.so as the program: AT_BASE 0), dlopen/dlsym work, and the loaded
// objects are the expected ones.
#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/wait.h>
#include <unistd.h>

extern char _start[];

static int count_objs(struct dl_phdr_info *i, size_t s, void *data) {
    (void)s;
    char **names = data;
    const char *n = i->dlpi_name;
    const char *b = strrchr(n, '/') ? strrchr(n, '/') + 1 : n;
    for (int k = 0; k < 8; k++)
        if (!names[k]) {
            names[k] = strdup(b[0] ? b : "(main)");
            break;
        }
    return 0;
}

static int cmp(const void *a, const void *b) {
    const char *x = *(char *const *)a, *y = *(char *const *)b;
    if (!x) return 1;
    if (!y) return -1;
    return strcmp(x, y);
}

static void report(const char *who, int argc, char **argv) {
    printf("%s: argc=%d", who, argc);
    for (int i = 1; i < argc; i++) printf(" [%s]", argv[i]);
    printf("\n");
    printf("  AT_BASE nonzero: %d\n", getauxval(AT_BASE) != 0);
    printf("  AT_ENTRY is _start: %d\n", getauxval(AT_ENTRY) == (unsigned long)_start);
    const Elf64_Phdr *ph = (const Elf64_Phdr *)getauxval(AT_PHDR);
    int interp = 0;
    for (unsigned i = 0; i < getauxval(AT_PHNUM); i++) interp |= ph[i].p_type == PT_INTERP;
    printf("  AT_PHDR shows a PT_INTERP: %d\n", interp);
    char *names[8] = {0};
    dl_iterate_phdr(count_objs, names);
    qsort(names, 8, sizeof names[0], cmp);
    printf("  objects:");
    for (int k = 0; k < 8 && names[k]; k++) printf(" %s", names[k]);
    printf("\n");
}

int main(int argc, char **argv) {
    if (argc > 1 && !strcmp(argv[1], "--child")) {
        report("re-executed", argc, argv);
        fflush(stdout);
        return 3;
    }
    if (argc > 1 && !strcmp(argv[1], "--under-loader")) {
        printf("under the loader: AT_BASE %lu, AT_ENTRY is _start %d\n", getauxval(AT_BASE),
               getauxval(AT_ENTRY) == (unsigned long)_start);
        fflush(stdout);
        return 4;
    }
    report("first run", argc, argv);
    void *h = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
    printf("dlopen libc.so.6 (already loaded): %d\n", h != NULL);
    int (*gp)(void) = h ? (int (*)(void))dlsym(h, "getpid") : NULL;
    printf("dlsym getpid works: %d\n", gp && gp() == getpid());
    printf("dlopen a missing library fails: %d\n", dlopen("libno-such-lib.so", RTLD_NOW) == NULL);

    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        char *av[] = {argv[0], "--child", "one", "two words", NULL};
        char *ev[] = {"A=1", NULL};
        execve(argv[0], av, ev);
        _exit(127);
    }
    int st;
    waitpid(pid, &st, 0);
    printf("re-exec status %d\n", WEXITSTATUS(st));
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        char *av[] = {"ld.so", argv[0], "--under-loader", NULL};
        char *ev[] = {NULL};
        execve("/lib64/ld-linux-x86-64.so.2", av, ev);
        _exit(127);
    }
    waitpid(pid, &st, 0);
    printf("loader-run status %d\n", WEXITSTATUS(st));
    return 0;
}

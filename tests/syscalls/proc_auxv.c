// The auxiliary vector the kernel builds at execve: AT_PAGESZ, AT_PHDR/
// AT_PHENT/AT_PHNUM describe this static program's headers, AT_ENTRY is
// _start, AT_RANDOM points at 16 readable bytes (fresh per exec), AT_EXECFN
// is the path string given to execve, credentials match, and the vector sits
// right after envp on the initial stack.
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;
extern const char __ehdr_start[];
extern char _start[];

static char **saved_envp;

static void report(int argc, char **argv) {
    (void)argc;
    unsigned long pagesz = getauxval(AT_PAGESZ);
    printf("AT_PAGESZ=%lu sysconf matches: %d\n", pagesz, (long)pagesz == sysconf(_SC_PAGESIZE));
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)__ehdr_start;
    printf("AT_PHDR is ehdr+e_phoff: %d\n",
           getauxval(AT_PHDR) == (unsigned long)__ehdr_start + eh->e_phoff);
    printf("AT_PHENT=%lu\n", getauxval(AT_PHENT));
    printf("AT_PHNUM matches e_phnum: %d\n", getauxval(AT_PHNUM) == eh->e_phnum);
    const Elf64_Phdr *ph = (const Elf64_Phdr *)getauxval(AT_PHDR);
    int loads = 0;
    for (unsigned i = 0; i < getauxval(AT_PHNUM); i++) loads += ph[i].p_type == PT_LOAD;
    printf("PT_LOAD count via AT_PHDR > 0: %d\n", loads > 0);
    printf("AT_ENTRY is _start: %d\n", getauxval(AT_ENTRY) == (unsigned long)_start);
    printf("AT_BASE (static, no interpreter)=%lu\n", getauxval(AT_BASE));
    printf("AT_FLAGS=%lu\n", getauxval(AT_FLAGS));
    printf("AT_UID/EUID/GID/EGID match: %d %d %d %d\n", getauxval(AT_UID) == getuid(),
           getauxval(AT_EUID) == geteuid(), getauxval(AT_GID) == getgid(),
           getauxval(AT_EGID) == getegid());
    printf("AT_SECURE=%lu\n", getauxval(AT_SECURE));
    printf("AT_CLKTCK=%lu\n", getauxval(AT_CLKTCK));
    const char *plat = (const char *)getauxval(AT_PLATFORM);
    printf("AT_PLATFORM=%s\n", plat ? plat : "(none)");
    printf("AT_HWCAP nonzero: %d\n", getauxval(AT_HWCAP) != 0);
#ifdef AT_MINSIGSTKSZ
    printf("AT_MINSIGSTKSZ nonzero: %d\n", getauxval(AT_MINSIGSTKSZ) != 0);
#endif
    const unsigned char *vdso = (const unsigned char *)getauxval(AT_SYSINFO_EHDR);
    printf("AT_SYSINFO_EHDR is an ELF image: %d\n", vdso && memcmp(vdso, ELFMAG, SELFMAG) == 0);
    const unsigned char *rnd = (const unsigned char *)getauxval(AT_RANDOM);
    int nz = 0;
    for (int i = 0; rnd && i < 16; i++) nz |= rnd[i];
    printf("AT_RANDOM 16 bytes readable, not all zero: %d\n", rnd && nz);
    const char *fn = (const char *)getauxval(AT_EXECFN);
    printf("AT_EXECFN equals argv[0]: %d\n", fn && strcmp(fn, argv[0]) == 0);
    errno = 0;
    unsigned long none = getauxval(12345);
    printf("getauxval(unknown)=%lu errno ENOENT: %d\n", none, errno == ENOENT);

    // The initial stack: argv, NULL, envp, NULL, auxv pairs.
    char **e = saved_envp;
    printf("envp follows argv's NULL: %d\n", e == argv + argc + 1);
    while (*e) e++;
    Elf64_auxv_t *av = (Elf64_auxv_t *)(e + 1);
    int n = 0, same = 1, seen_pagesz = 0, seen_random = 0;
    for (; av->a_type != AT_NULL; av++, n++) {
        if (av->a_type == AT_PAGESZ) seen_pagesz = 1;
        if (av->a_type == AT_RANDOM) seen_random = 1;
        if (getauxval(av->a_type) != av->a_un.a_val && av->a_type != AT_IGNORE) same = 0;
    }
    printf("stack auxv: entries>10: %d, has AT_PAGESZ: %d, has AT_RANDOM: %d, agrees with getauxval: %d\n",
           n > 10, seen_pagesz, seen_random, same);
}

int main(int argc, char **argv, char **envp) {
    saved_envp = envp;
    if (argc > 1 && strcmp(argv[1], "--child") == 0) {
        printf("-- in the re-executed image\n");
        report(argc, argv);
        const char *fn = (const char *)getauxval(AT_EXECFN);
        printf("AT_EXECFN=%s\n", fn ? fn : "(null)");
        // print AT_RANDOM so the parent can compare
        const unsigned char *rnd = (const unsigned char *)getauxval(AT_RANDOM);
        fflush(stdout);
        write(3, rnd, 16);
        return 0;
    }
    printf("-- as started\n");
    report(argc, argv);

    // Re-exec through a relative symlink: AT_EXECFN is the string passed.
    symlink(argv[0], "link-to-self");
    int p[2];
    pipe(p);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(p[1], 3);
        char *av[] = {"./link-to-self", "--child", NULL};
        char *ev[] = {"K=V", NULL};
        execve("./link-to-self", av, ev);
        _exit(127);
    }
    close(p[1]);
    unsigned char child_rnd[16];
    ssize_t n = read(p[0], child_rnd, 16);
    int st;
    waitpid(pid, &st, 0);
    printf("child exit status %d\n", WEXITSTATUS(st));
    const unsigned char *rnd = (const unsigned char *)getauxval(AT_RANDOM);
    printf("child AT_RANDOM differs from ours: %d\n", n == 16 && memcmp(rnd, child_rnd, 16) != 0);
    return 0;
}

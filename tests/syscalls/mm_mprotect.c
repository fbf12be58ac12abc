// mprotect: writes to PROT_READ pages and any access to PROT_NONE pages raise
// SIGSEGV with SEGV_ACCERR at the faulting address (caught and recovered),
// unmapped pages give SEGV_MAPERR, protection of a sub-range splits the
// mapping, read-only data of the binary faults on write, argument errors, and
// an uncaught fault kills a child with SIGSEGV.
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "faults.h"

#define PG 4096L
static const char rodata[64] = "read-only data";

int main(void) {
    alarm(10);
    catch_faults();
    char *a = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memset(a, 7, 4 * PG);
    try_write("write RW page", a, 1);

    report("mprotect PROT_READ", mprotect(a, PG, PROT_READ));
    try_write("write PROT_READ page", a + 10, 2);
    try_read("read PROT_READ page", a + 10);
    report("mprotect back to RW", mprotect(a, PG, PROT_READ | PROT_WRITE));
    try_write("write after restoring", a + 10, 3);
    try_read("read it", a + 10);

    report("mprotect PROT_NONE", mprotect(a + PG, PG, PROT_NONE));
    try_read("read PROT_NONE page", a + PG + 1);
    try_write("write PROT_NONE page", a + PG + 1, 1);
    report("mprotect PROT_WRITE only", mprotect(a + PG, PG, PROT_WRITE));
    try_read("read PROT_WRITE-only page (implies read on x86)", a + PG + 1);
    try_write("write PROT_WRITE-only page", a + PG + 1, 4);

    /* Sub-range: only page 2 of pages 0..3 read-only. */
    mprotect(a, 4 * PG, PROT_READ | PROT_WRITE);
    report("mprotect middle page", mprotect(a + 2 * PG, PG, PROT_READ));
    try_write("page 1", a + PG, 5);
    try_write("page 2", a + 2 * PG + PG - 1, 5);
    try_write("page 3", a + 3 * PG, 5);
    printf("contents survive protection changes: %d %d\n", a[2 * PG], a[3 * PG + 1]);

    report("mprotect unaligned", syscall(SYS_mprotect, a + 1, PG, PROT_READ));
    report("mprotect length 0", mprotect(a, 0, PROT_READ));
    report("mprotect unknown prot bit", mprotect(a, PG, 0x100));
    report("mprotect PROT_GROWSDOWN on normal mapping", mprotect(a, PG, PROT_READ | PROT_GROWSDOWN));
    report("mprotect PROT_EXEC", mprotect(a, PG, PROT_READ | PROT_EXEC));
    mprotect(a, 4 * PG, PROT_READ | PROT_WRITE);
    munmap(a + 3 * PG, PG);
    report("mprotect over an unmapped tail", mprotect(a + 2 * PG, 2 * PG, PROT_READ));
    try_write("page 2 after the failed call (changed before the hole)", a + 2 * PG, 6);
    report("mprotect fully unmapped", mprotect(a + 3 * PG, PG, PROT_READ));
    try_read("read unmapped page", a + 3 * PG);
    try_write("write NULL", NULL, 1);
    try_write("write binary's rodata", (volatile char *)rodata + 3, 'X');
    printf("rodata intact: %s\n", rodata);
    try_write("write main's code", (volatile char *)(uintptr_t)main, 0);

    /* Fault handler runs with the signal blocked; after siglongjmp it is unblocked. */
    sigset_t cur;
    sigprocmask(SIG_BLOCK, NULL, &cur);
    printf("SIGSEGV blocked after recovery: %d\n", sigismember(&cur, SIGSEGV));

    /* Uncaught: the child dies of SIGSEGV. */
    report("mprotect PROT_READ for the child", mprotect(a, PG, PROT_READ));
    fflush(stdout);
    pid_t kid = fork();
    if (kid == 0) {
        signal(SIGSEGV, SIG_DFL);
        ((volatile char *)a)[0] = 1;
        _exit(0);
    }
    int st;
    waitpid(kid, &st, 0);
    printf("child killed by SIGSEGV: %d\n", WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV);

    /* Protection is inherited across fork and stays per process. */
    fflush(stdout);
    kid = fork();
    if (kid == 0) {
        mprotect(a, PG, PROT_READ | PROT_WRITE);
        ((volatile char *)a)[0] = 42;
        _exit(a[0]);
    }
    waitpid(kid, &st, 0);
    printf("child wrote after its own mprotect: %d\n", WEXITSTATUS(st));
    try_write("parent still read-only", a, 1);
    return 0;
}

/* Catching SIGSEGV and SIGBUS in the differential test programs: a fault
 * while touching memory is reported (signal, si_code, whether si_addr is
 * the address touched) instead of ending the program. */
#ifndef RUML_DIFFTEST_FAULTS_H
#define RUML_DIFFTEST_FAULTS_H

#include <setjmp.h>
#include <signal.h>
#include <stdio.h>

#include "common.h"

static sigjmp_buf jb;
static volatile int fault_sig, fault_code;
static void *volatile fault_addr;

static void on_fault(int sig, siginfo_t *si, void *uc) {
    (void)uc;
    fault_sig = sig;
    fault_code = si->si_code;
    fault_addr = si->si_addr;
    siglongjmp(jb, 1);
}

__attribute__((unused)) static void catch_faults(void) {
    struct sigaction sa = {.sa_sigaction = on_fault, .sa_flags = SA_SIGINFO};
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
}

__attribute__((unused)) static const char *fault_name(void) {
    static char b[64];
    const char *s = fault_sig == SIGSEGV ? "SIGSEGV" : fault_sig == SIGBUS ? "SIGBUS" : "?";
    const char *c = "?";
    if (fault_sig == SIGSEGV)
        c = fault_code == SEGV_MAPERR ? "SEGV_MAPERR" : fault_code == SEGV_ACCERR ? "SEGV_ACCERR" : "other";
    if (fault_sig == SIGBUS)
        c = fault_code == BUS_ADRERR ? "BUS_ADRERR" : "other";
    snprintf(b, sizeof b, "%s %s", s, c);
    return b;
}

/* Writes v at p; prints "ok" or the signal, its code and whether si_addr is p. */
__attribute__((unused)) static void try_write(const char *what, volatile char *p, char v) {
    fault_sig = 0;
    if (sigsetjmp(jb, 1) == 0) {
        *p = v;
        printf("%s: ok\n", what);
    } else {
        printf("%s: %s, si_addr matches %d\n", what, fault_name(), fault_addr == (void *)p);
    }
}

/* Reads p; prints the byte's value or the signal. */
__attribute__((unused)) static void try_read(const char *what, volatile char *p) {
    fault_sig = 0;
    if (sigsetjmp(jb, 1) == 0) {
        char c = *p;
        printf("%s: ok, value %d\n", what, c);
    } else {
        printf("%s: %s, si_addr matches %d\n", what, fault_name(), fault_addr == (void *)p);
    }
}

#endif

/* Helpers shared by the differential test programs in this directory. */
#ifndef RUML_DIFFTEST_COMMON_H
#define RUML_DIFFTEST_COMMON_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/* The symbolic name of an errno value: "0" for none, "errnoN" if unknown. */
__attribute__((unused)) static const char *en(int e) {
    static char b[16];
    if (e == 0)
        return "0";
    switch (e) {
#define E(x) \
    case x:  \
        return #x;
    E(EPERM) E(ENOENT) E(ESRCH) E(EINTR) E(EIO) E(ENXIO) E(E2BIG) E(ENOEXEC) E(EBADF)
    E(ECHILD) E(EAGAIN) E(ENOMEM) E(EACCES) E(EFAULT) E(ENOTBLK) E(EBUSY) E(EEXIST)
    E(EXDEV) E(ENODEV) E(ENOTDIR) E(EISDIR) E(EINVAL) E(ENFILE) E(EMFILE) E(ENOTTY)
    E(ETXTBSY) E(EFBIG) E(ENOSPC) E(ESPIPE) E(EROFS) E(EMLINK) E(EPIPE) E(EDOM) E(ERANGE)
    E(EDEADLOCK) E(ENAMETOOLONG) E(ENOLCK) E(ENOSYS) E(ENOTEMPTY) E(ELOOP) E(ENOMSG)
    E(EIDRM) E(ECHRNG) E(EL2NSYNC) E(EL3HLT) E(EL3RST) E(ELNRNG) E(EUNATCH) E(ENOCSI)
    E(EL2HLT) E(EBADE) E(EBADR) E(EXFULL) E(ENOANO) E(EBADRQC) E(EBADSLT) E(EBFONT)
    E(ENOSTR) E(ENODATA) E(ETIME) E(ENOSR) E(ENONET) E(ENOPKG) E(EREMOTE) E(ENOLINK)
    E(EADV) E(ESRMNT) E(ECOMM) E(EPROTO) E(EMULTIHOP) E(EDOTDOT) E(EBADMSG) E(EOVERFLOW)
    E(ENOTUNIQ) E(EBADFD) E(EREMCHG) E(ELIBACC) E(ELIBBAD) E(ELIBSCN) E(ELIBMAX)
    E(ELIBEXEC) E(EILSEQ) E(ERESTART) E(ESTRPIPE) E(EUSERS) E(ENOTSOCK) E(EDESTADDRREQ)
    E(EMSGSIZE) E(EPROTOTYPE) E(ENOPROTOOPT) E(EPROTONOSUPPORT) E(ESOCKTNOSUPPORT)
    E(ENOTSUP) E(EPFNOSUPPORT) E(EAFNOSUPPORT) E(EADDRINUSE) E(EADDRNOTAVAIL) E(ENETDOWN)
    E(ENETUNREACH) E(ENETRESET) E(ECONNABORTED) E(ECONNRESET) E(ENOBUFS) E(EISCONN)
    E(ENOTCONN) E(ESHUTDOWN) E(ETOOMANYREFS) E(ETIMEDOUT) E(ECONNREFUSED) E(EHOSTDOWN)
    E(EHOSTUNREACH) E(EALREADY) E(EINPROGRESS) E(ESTALE) E(EUCLEAN) E(ENOTNAM) E(ENAVAIL)
    E(EISNAM) E(EREMOTEIO) E(EDQUOT) E(ENOMEDIUM) E(EMEDIUMTYPE) E(ECANCELED) E(ENOKEY)
    E(EKEYEXPIRED) E(EKEYREVOKED) E(EKEYREJECTED) E(EOWNERDEAD) E(ENOTRECOVERABLE)
    E(ERFKILL)
#undef E
    }
    snprintf(b, sizeof b, "errno%d", e);
    return b;
}

/* Prints "what: value", or "what: -1 ENAME" when the call failed. */
__attribute__((unused)) static void report(const char *what, long r) {
    if (r < 0)
        printf("%s: -1 %s\n", what, en(errno));
    else
        printf("%s: %ld\n", what, r);
}

/* Reads a whole file into buf (at most size - 1 bytes, NUL-terminated);
 * returns its length, or -1 with errno if it cannot be opened. */
__attribute__((unused)) static int slurp_into(const char *path, char *buf, int size) {
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    int n = 0, k;
    while ((k = read(fd, buf + n, size - 1 - n)) > 0)
        n += k;
    close(fd);
    buf[n] = 0;
    return n;
}

/* In a child whose exec just failed: hands errno to the parent through
 * the pipe's write end `fd`, and exits 127. */
__attribute__((unused)) static void exec_failed(int fd) {
    int e = errno;
    write(fd, &e, sizeof e);
    _exit(127);
}

/* The parent's side of a child's exec attempt (the child calls exec_failed
 * with p[1] if the exec fails): closes the pipe, waits for the child into
 * *status, and returns the exec's errno, or 0 if the exec happened. */
__attribute__((unused)) static int exec_outcome(pid_t pid, int p[2], int *status) {
    close(p[1]);
    int e = 0;
    ssize_t n = read(p[0], &e, sizeof e);
    close(p[0]);
    waitpid(pid, status, 0);
    return n == sizeof e ? e : 0;
}

#endif

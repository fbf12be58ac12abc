// The x86-64 syscall ABI as a process sees it: across a syscall the kernel
// changes only rax (result), rcx and r11; the argument registers rdi, rsi,
// rdx, r10, r8 and r9 come back unchanged, for calls on files in the scratch
// directory (which an emulator may rewrite), on /dev and /proc, failing
// calls, and calls that are answered without reaching the kernel.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common.h"


static void check(const char *what, long nr, long a, long b, long c, long d, long e, long f) {
    register long r10 __asm__("r10") = d;
    register long r8 __asm__("r8") = e;
    register long r9 __asm__("r9") = f;
    long ra = a, rb = b, rc = c, ret;
    __asm__ volatile("syscall"
                     : "=a"(ret), "+D"(ra), "+S"(rb), "+d"(rc), "+r"(r10), "+r"(r8), "+r"(r9)
                     : "a"(nr)
                     : "rcx", "r11", "memory");
    long got[6] = {ra, rb, rc, r10, r8, r9}, want[6] = {a, b, c, d, e, f};
    const char *names[6] = {"rdi", "rsi", "rdx", "r10", "r8", "r9"};
    printf("%-28s -> %s;", what, ret < 0 && ret > -4096 ? en(-ret) : ret >= 0 ? "ok" : "?");
    int same = 1;
    for (int i = 0; i < 6; i++)
        if (got[i] != want[i]) {
            printf(" %s changed", names[i]);
            same = 0;
        }
    printf("%s\n", same ? " registers preserved" : "");
    if (nr == SYS_open || nr == SYS_openat || nr == SYS_openat2) {
        if (ret >= 0) close(ret);
    }
}

int main(void) {
    int fd = open("file", O_CREAT | O_WRONLY, 0644);
    write(fd, "data", 4);
    close(fd);
    symlink("file", "lnk");
    mkdir("dir", 0755);
    struct stat st;
    char buf[256];
    const long J = 0x1111111111111111L;  // junk in unused argument registers
    check("open(file)", SYS_open, (long)"file", O_RDONLY, 0, J, J, J);
    check("open(./file)", SYS_open, (long)"./file", O_RDONLY, 0, J, J, J);
    check("open(missing)", SYS_open, (long)"missing", O_RDONLY, 0, J, J, J);
    check("openat(AT_FDCWD, file)", SYS_openat, AT_FDCWD, (long)"file", O_RDONLY, 0, J, J);
    check("open(/dev/null)", SYS_open, (long)"/dev/null", O_RDONLY, 0, J, J, J);
    check("open(/proc/uptime)", SYS_open, (long)"/proc/uptime", O_RDONLY, 0, J, J, J);
    check("stat(file)", SYS_stat, (long)"file", (long)&st, J, J, J, J);
    check("lstat(lnk)", SYS_lstat, (long)"lnk", (long)&st, J, J, J, J);
    check("newfstatat(AT_FDCWD, file)", SYS_newfstatat, AT_FDCWD, (long)"file", (long)&st, 0, J, J);
    check("access(file)", SYS_access, (long)"file", R_OK, J, J, J, J);
    check("readlink(lnk)", SYS_readlink, (long)"lnk", (long)buf, sizeof buf, J, J, J);
    check("mkdir(dir2)", SYS_mkdir, (long)"dir2", 0755, J, J, J, J);
    check("mkdir(dir) exists", SYS_mkdir, (long)"dir", 0755, J, J, J, J);
    check("chdir(dir)", SYS_chdir, (long)"dir", J, J, J, J, J);
    check("chdir(..)", SYS_chdir, (long)"..", J, J, J, J, J);
    check("getcwd", SYS_getcwd, (long)buf, sizeof buf, J, J, J, J);
    check("rename(file, file2)", SYS_rename, (long)"file", (long)"file2", J, J, J, J);
    check("unlink(file2)", SYS_unlink, (long)"file2", J, J, J, J, J);
    check("unlink(missing)", SYS_unlink, (long)"missing", J, J, J, J, J);
    check("truncate(missing)", SYS_truncate, (long)"missing", 0, J, J, J, J);
    char *av[] = {"x", NULL};
    check("execve(missing)", SYS_execve, (long)"./missing", (long)av, (long)av + 8, J, J, J);
    check("execve(dir)", SYS_execve, (long)"dir", (long)av, (long)av + 8, J, J, J);
    check("getuid", SYS_getuid, J, J, J, J, J, J);
    check("getpid", SYS_getpid, J, J, J, J, J, J);
    check("umask", SYS_umask, 022, J, J, J, J, J);
    check("uname", SYS_uname, (long)buf, J, J, J, J, J);
    return 0;
}

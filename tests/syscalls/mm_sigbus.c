// Mapping a file past its end: the tail of the last partial page reads as
// zeroes (and writes there are not part of the file), whole pages past EOF
// raise SIGBUS (BUS_ADRERR at the address), truncating a mapped file makes
// its pages SIGBUS, extending it makes them valid again, and an empty file's
// mapping faults on first touch.
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "faults.h"

#define PG 4096L

int main(void) {
    alarm(10);
    catch_faults();
    int fd = open("short", O_RDWR | O_CREAT | O_TRUNC, 0644);
    char hundred[100];
    memset(hundred, 'd', sizeof hundred);
    write(fd, hundred, sizeof hundred);

    char *m = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    printf("mmap 3 pages of a 100-byte file: %s\n", m == MAP_FAILED ? en(errno) : "ok");
    try_read("byte 99", m + 99);
    try_read("byte 100 (past EOF, same page)", m + 100);
    try_read("byte 4095", m + PG - 1);
    try_write("write byte 200", m + 200, 'x');
    struct stat st;
    fstat(fd, &st);
    printf("size after writing past EOF in the mapping: %ld\n", (long)st.st_size);
    char c = 0;
    report("pread at 200", pread(fd, &c, 1, 200));
    try_read("byte 4096 (next page)", m + PG);
    try_write("write byte 4096", m + PG, 'y');
    try_read("byte 8192", m + 2 * PG + 17);

    /* Extend: the second page becomes readable. (Whether the stray byte at 200
       survives extension depends on the filesystem, so it is not printed.) */
    report("ftruncate to 2 pages", ftruncate(fd, 2 * PG));
    try_read("byte 4096 after extending", m + PG);
    try_read("byte 8192 still past EOF", m + 2 * PG);

    /* Shrink to 0: everything faults. */
    report("ftruncate to 0", ftruncate(fd, 0));
    try_read("byte 0 after truncating to 0", m);
    try_write("write byte 0", m, 'z');
    munmap(m, 3 * PG);

    /* MAP_PRIVATE behaves the same for pages past EOF. */
    ftruncate(fd, 10);
    char *p = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    try_write("private: write byte 20", p + 20, 'q');
    try_read("private: byte 20", p + 20);
    try_read("private: byte 4096", p + PG);
    munmap(p, 2 * PG);

    /* Empty file. */
    int e = open("empty", O_RDWR | O_CREAT | O_TRUNC, 0644);
    char *em = mmap(NULL, PG, PROT_READ, MAP_SHARED, e, 0);
    printf("mmap of an empty file: %s\n", em == MAP_FAILED ? en(errno) : "ok");
    try_read("touch it", em);
    report("mmap length 0", mmap(NULL, 0, PROT_READ, MAP_SHARED, e, 0) == MAP_FAILED ? -1 : 0);

    /* Reading the mapped tail through read() shows the file, not the mapping. */
    ftruncate(e, 50);
    char *t = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, e, 0);
    t[10] = 'k';
    t[60] = 'j';
    char buf[100];
    memset(buf, '-', sizeof buf);
    long n = pread(e, buf, sizeof buf, 0);
    printf("read %ld bytes, [10]=%c\n", n, buf[10]);
    return 0;
}

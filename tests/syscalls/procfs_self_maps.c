// /proc/self/maps, smaps and statm: the stack, vdso and the executable (its
// path equals the exe link) are listed; an anonymous mapping appears with
// exact bounds and rw-p, splits into three lines after mprotect of its middle
// page, disappears after munmap; a shared file mapping shows rw-s, its
// offset and its path; smaps Size/Rss of a partly touched mapping.
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common.h"

#define PG 4096L
static char text[1 << 18];

static int slurp(const char *path) {
    return slurp_into(path, text, sizeof text);
}

struct line {
    uintptr_t lo, hi;
    char perms[8];
    unsigned long off;
    char path[PATH_MAX];
};

/* Parses one maps line; returns the pointer past it. */
static char *parse(char *l, struct line *out) {
    char *nl = strchr(l, '\n');
    if (nl)
        *nl = 0;
    unsigned long ino;
    char dev[16];
    int pos = 0;
    memset(out, 0, sizeof *out);
    sscanf(l, "%lx-%lx %7s %lx %15s %lu %n", &out->lo, &out->hi, out->perms, &out->off, dev, &ino, &pos);
    if (pos > 0)
        snprintf(out->path, sizeof out->path, "%s", l + pos);
    return nl ? nl + 1 : NULL;
}

/* An anonymous read-write mapping between PROT_NONE guard pages, so that it
   can never merge with a neighbouring mapping. */
static char *guarded(long pages) {
    char *g = mmap(NULL, (pages + 2) * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return mmap(g + PG, pages * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
}

/* Prints the maps lines that overlap [lo, hi). */
static void show_range(const char *label, uintptr_t lo, uintptr_t hi) {
    if (slurp("/proc/self/maps") < 0) {
        printf("%s: %s\n", label, en(errno));
        return;
    }
    printf("%s:", label);
    int any = 0;
    for (char *l = text; l && *l;) {
        struct line L;
        l = parse(l, &L);
        if (L.hi > lo && L.lo < hi) {
            printf(" [%+ld..%+ld pages %s off %lu%s%s]", (long)((intptr_t)(L.lo - lo) / PG),
                   (long)((intptr_t)(L.hi - lo) / PG), L.perms, L.off, L.path[0] ? " " : "",
                   L.path[0] == '/' ? "(path)" : L.path);
            any = 1;
        }
    }
    printf("%s\n", any ? "" : " none");
}

int main(void) {
    alarm(10);
    char exe[PATH_MAX] = {0};
    readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (slurp("/proc/self/maps") < 0) {
        printf("maps: %s\n", en(errno));
        return 1;
    }
    int stack = 0, vdso = 0, exe_lines = 0, exe_x = 0, sorted = 1, wellformed = 1;
    uintptr_t prev = 0;
    uintptr_t sp = (uintptr_t)&exe;
    int sp_in_stack = 0;
    for (char *l = text; l && *l;) {
        struct line L;
        l = parse(l, &L);
        wellformed &= L.hi > L.lo && strlen(L.perms) == 4;
        sorted &= L.lo >= prev;
        prev = L.hi;
        if (strcmp(L.path, "[stack]") == 0) {
            stack++;
            sp_in_stack = sp >= L.lo && sp < L.hi;
        }
        vdso += strcmp(L.path, "[vdso]") == 0;
        if (strcmp(L.path, exe) == 0) {
            exe_lines++;
            exe_x |= L.perms[2] == 'x';
        }
    }
    printf("well formed: %d, sorted: %d\n", wellformed, sorted);
    printf("[stack] lines: %d, holds a local variable: %d\n", stack, sp_in_stack);
    printf("[vdso] lines: %d\n", vdso);
    printf("executable mapped (path equals exe link): %d, an executable segment: %d\n", exe_lines > 0, exe_x);

    char *a = guarded(3);
    uintptr_t lo = (uintptr_t)a, hi = lo + 3 * PG;
    show_range("anonymous 3 pages", lo, hi);
    mprotect(a + PG, PG, PROT_READ);
    show_range("middle page read-only", lo, hi);
    mprotect(a + PG, PG, PROT_READ | PROT_WRITE);
    show_range("restored (merged again)", lo, hi);
    munmap(a + 2 * PG, PG);
    show_range("last page unmapped", lo, hi);
    munmap(a, 2 * PG);
    show_range("all unmapped", lo, hi);

    int fd = open("mapped", O_RDWR | O_CREAT | O_TRUNC, 0644);
    ftruncate(fd, 4 * PG);
    char *m = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 2 * PG);
    show_range("shared file at offset 2 pages", (uintptr_t)m, (uintptr_t)m + 2 * PG);
    char cwd[PATH_MAX], want[PATH_MAX + 32];
    getcwd(cwd, sizeof cwd);
    snprintf(want, sizeof want, "%s/mapped", cwd);
    slurp("/proc/self/maps");
    int path_ok = 0;
    for (char *l = text; l && *l;) {
        struct line L;
        l = parse(l, &L);
        if (L.lo == (uintptr_t)m)
            path_ok = strcmp(L.path, want) == 0;
    }
    printf("file mapping's path is cwd/mapped: %d\n", path_ok);
    unlink("mapped");
    slurp("/proc/self/maps");
    snprintf(want, sizeof want, "%s/mapped (deleted)", cwd);
    path_ok = 0;
    for (char *l = text; l && *l;) {
        struct line L;
        l = parse(l, &L);
        if (L.lo == (uintptr_t)m)
            path_ok = strcmp(L.path, want) == 0;
    }
    printf("after unlink: cwd/mapped (deleted): %d\n", path_ok);
    char *pv = mmap(NULL, PG, PROT_READ, MAP_PRIVATE, fd, 0);
    show_range("private read-only file mapping", (uintptr_t)pv, (uintptr_t)pv + PG);

    /* smaps: Size and Rss of a 4-page mapping with 2 pages touched. */
    char *s = guarded(4);
    s[0] = 1;
    s[3 * PG] = 1;
    if (slurp("/proc/self/smaps") < 0) {
        printf("smaps: %s\n", en(errno));
    } else {
        char key[64];
        snprintf(key, sizeof key, "%lx-", (unsigned long)(uintptr_t)s);
        char *at = strstr(text, key);
        long size = -1, rss = -1;
        if (at) {
            char *z = strstr(at, "\nSize:");
            char *r = strstr(at, "\nRss:");
            if (z)
                size = atol(z + 6);
            if (r)
                rss = atol(r + 5);
        }
        printf("smaps entry found: %d, Size %ld kB, Rss %ld kB\n", at != NULL, size, rss);
    }
    if (slurp("/proc/self/statm") < 0) {
        printf("statm: %s\n", en(errno));
    } else {
        long v[7] = {0};
        int n = sscanf(text, "%ld %ld %ld %ld %ld %ld %ld", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6]);
        printf("statm fields: %d, size >= resident > 0: %d\n", n, v[0] >= v[1] && v[1] > 0);
    }
    return 0;
}

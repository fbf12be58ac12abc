// Copies of this program in the cwd whose ELF interpreter (PT_INTERP) names a
// file in the cwd, by absolute and relative path, run directly, through a
// script and through a descriptor: Linux's errors when that interpreter is
// missing (ENOENT), not executable or a directory (EACCES), a symlink loop
// (ELOOP), too short (EIO) or no x86_64 ELF file (ELIBBAD), with bad argv
// pointers failing first (EFAULT).
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"

static char *img;
static size_t img_len;
static char cwd[4096];

static void load_self(const char *path) {
    int fd = open(path, O_RDONLY);
    struct stat st;
    fstat(fd, &st);
    img_len = st.st_size;
    img = malloc(img_len + 8192);
    size_t got = 0;
    ssize_t n;
    while (got < img_len && (n = read(fd, img + got, img_len - got)) > 0) got += n;
    close(fd);
}

static void write_file(const char *name, const void *data, size_t len, mode_t mode) {
    unlink(name);
    int fd = open(name, O_CREAT | O_WRONLY | O_TRUNC, 0700);
    size_t off = 0;
    ssize_t n;
    while (off < len && (n = write(fd, (const char *)data + off, len - off)) > 0) off += n;
    close(fd);
    chmod(name, mode);
}

// Writes `name`: this program with PT_GNU_STACK turned into a PT_INTERP
// naming `interp` (with a NUL).
static void with_interp(const char *name, const char *interp) {
    char *b = malloc(img_len + 8192);
    memcpy(b, img, img_len);
    Elf64_Ehdr *e = (Elf64_Ehdr *)b;
    size_t n = strlen(interp) + 1;
    for (int i = 0; i < e->e_phnum; i++) {
        Elf64_Phdr *p = (Elf64_Phdr *)(b + e->e_phoff + i * e->e_phentsize);
        if (p->p_type != PT_GNU_STACK) continue;
        memcpy(b + img_len, interp, n);
        p->p_type = PT_INTERP;
        p->p_offset = img_len;
        p->p_filesz = p->p_memsz = n;
    }
    write_file(name, b, img_len + n, 0755);
    free(b);
}

#define BAD ((char *)1)

static void run_at(const char *what, int dirfd, const char *path, int flags, char **av) {
    printf("%s: ", what);
    fflush(stdout);
    int p[2];
    pipe2(p, O_CLOEXEC);
    pid_t pid = fork();
    if (pid == 0) {
        char *dav[] = {"argv0", NULL};
        char *ev[] = {"MODE=ok", NULL};
        syscall(SYS_execveat, dirfd, path, av ? av : dav, ev, flags);
        exec_failed(p[1]);
    }
    int st;
    int e = exec_outcome(pid, p, &st);
    if (e)
        printf("exec failed: %s\n", en(e));
    else if (WIFEXITED(st))
        printf("ran, exit status %d\n", WEXITSTATUS(st));
    else
        printf("ran, killed by signal %d\n", WTERMSIG(st));
}

static void run(const char *what, const char *path) {
    run_at(what, AT_FDCWD, path, 0, NULL);
}

// A program whose interpreter is `interp` in the cwd, named relatively and
// absolutely, run by path, through a script and through a descriptor.
static void all_ways(const char *what, const char *interp) {
    char abs[4200], line[4300], label[256];
    snprintf(abs, sizeof abs, "%s/%s", cwd, interp);
    const char *names[] = {interp, abs};
    const char *how[] = {"relative", "absolute"};
    for (int i = 0; i < 2; i++) {
        with_interp("prog", names[i]);
        snprintf(label, sizeof label, "%s, %s", what, how[i]);
        run(label, "./prog");
        snprintf(line, sizeof line, "#!./prog\n");
        write_file("script", line, strlen(line), 0755);
        snprintf(label, sizeof label, "%s, %s, through a script", what, how[i]);
        run(label, "./script");
        int fd = open("prog", O_RDONLY);
        snprintf(label, sizeof label, "%s, %s, by descriptor", what, how[i]);
        run_at(label, fd, "", AT_EMPTY_PATH, NULL);
        close(fd);
    }
}

int main(int argc, char **argv) {
    const char *m = getenv("MODE");
    if (m && strcmp(m, "ok") == 0)
        return 0;
    (void)argc;
    getcwd(cwd, sizeof cwd);
    load_self(argv[0]);
    Elf64_Ehdr *e = (Elf64_Ehdr *)img;
    int has_stack = 0;
    for (int i = 0; i < e->e_phnum; i++)
        has_stack |= ((Elf64_Phdr *)(img + e->e_phoff + i * e->e_phentsize))->p_type ==
                     PT_GNU_STACK;
    printf("has PT_GNU_STACK: %d\n", has_stack);

    write_file("plain", "text\n", 5, 0644);
    write_file("short", "\177ELF short", 10, 0755);
    char text[100];
    memset(text, 't', sizeof text);
    write_file("plain2", text, sizeof text, 0755);
    char garbage[128];
    memset(garbage, 'g', sizeof garbage);
    memcpy(garbage, "\177ELF", 4);
    write_file("garbage", garbage, sizeof garbage, 0755);
    write_file("script_interp", "#!./interp\n", 11, 0755);
    write_file("noexec", img, img_len, 0644);
    mkdir("dir", 0755);
    symlink("loop", "loop");

    all_ways("missing interpreter", "missing");
    all_ways("interpreter under a file", "plain/x");
    all_ways("interpreter not executable", "noexec");
    all_ways("interpreter is a directory", "dir");
    all_ways("interpreter is a symlink loop", "loop");
    all_ways("interpreter shorter than an ELF header", "short");
    all_ways("interpreter is not an ELF file", "plain2");
    all_ways("interpreter is a script", "script_interp");
    all_ways("interpreter is a broken ELF file", "garbage");

    with_interp("prog", "missing");
    char *bad_av[] = {"argv0", BAD, NULL};
    run_at("missing interpreter, bad argv string", AT_FDCWD, "./prog", 0, bad_av);
    int fd = open("prog", O_RDONLY);
    run_at("missing interpreter, by descriptor, bad argv string", fd, "", AT_EMPTY_PATH,
           bad_av);
    close(fd);
    return 0;
}

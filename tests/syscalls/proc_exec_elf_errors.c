// execve of malformed ELF files (copies of this program with one header field
// broken) and of non-ELF garbage: each must fail with the errno Linux gives
// (ENOEXEC, EIO, ENOENT/EACCES/ELIBBAD for a bad PT_INTERP), and ETXTBSY for
// an executable open for writing (and for writing a running executable).
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"


static char *img;
static size_t img_len;

static void load_self(const char *path) {
    int fd = open(path, O_RDONLY);
    struct stat st;
    fstat(fd, &st);
    img_len = st.st_size;
    img = malloc(img_len + 4096);
    size_t got = 0;
    while (got < img_len) {
        ssize_t n = read(fd, img + got, img_len - got);
        if (n <= 0) break;
        got += n;
    }
    close(fd);
}

static void write_file(const char *name, const void *data, size_t len) {
    unlink(name);
    int fd = open(name, O_CREAT | O_WRONLY | O_TRUNC, 0755);
    size_t off = 0;
    while (off < len) {
        ssize_t n = write(fd, (const char *)data + off, len - off);
        if (n <= 0) break;
        off += n;
    }
    close(fd);
}

static void run(const char *what, const char *path) {
    fflush(stdout);
    int p[2];
    pipe2(p, O_CLOEXEC);
    pid_t pid = fork();
    if (pid == 0) {
        char *av[] = {(char *)path, NULL};
        char *ev[] = {"MODE=ok", NULL};
        execve(path, av, ev);
        exec_failed(p[1]);
    }
    int st;
    int e = exec_outcome(pid, p, &st);
    if (e)
        printf("%s: execve failed: %s\n", what, en(e));
    else if (WIFEXITED(st))
        printf("%s: ran, exit status %d\n", what, WEXITSTATUS(st));
    else
        printf("%s: ran, killed by signal %d\n", what, WTERMSIG(st));
}

// Writes a copy of the program with `edit` applied and runs it.
static void variant(const char *what, void (*edit)(char *buf, size_t *len)) {
    char *buf = malloc(img_len + 4096);
    memcpy(buf, img, img_len);
    size_t len = img_len;
    edit(buf, &len);
    write_file("variant", buf, len);
    free(buf);
    run(what, "./variant");
}

#define EH(b) ((Elf64_Ehdr *)(b))
static Elf64_Phdr *phdr(char *b, int type) {
    Elf64_Ehdr *e = EH(b);
    for (int i = 0; i < e->e_phnum; i++) {
        Elf64_Phdr *p = (Elf64_Phdr *)(b + e->e_phoff + i * e->e_phentsize);
        if (p->p_type == (unsigned)type) return p;
    }
    return NULL;
}

static void e_none(char *b, size_t *l) { (void)b; (void)l; }
static void e_magic(char *b, size_t *l) { (void)l; b[3] = 'G'; }
static void e_machine(char *b, size_t *l) { (void)l; EH(b)->e_machine = EM_AARCH64; }
static void e_machine386(char *b, size_t *l) { (void)l; EH(b)->e_machine = EM_386; }
static void e_rel(char *b, size_t *l) { (void)l; EH(b)->e_type = ET_REL; }
static void e_core(char *b, size_t *l) { (void)l; EH(b)->e_type = ET_CORE; }
static void e_phentsize(char *b, size_t *l) { (void)l; EH(b)->e_phentsize = 32; }
static void e_phnum0(char *b, size_t *l) { (void)l; EH(b)->e_phnum = 0; }
static void e_phnumbig(char *b, size_t *l) { (void)l; EH(b)->e_phnum = 0xffff; }
static void e_phoff_eof(char *b, size_t *l) { EH(b)->e_phoff = *l + 4096; }
static void e_trunc_hdr(char *b, size_t *l) { (void)b; *l = sizeof(Elf64_Ehdr); }
static void e_trunc_10(char *b, size_t *l) { (void)b; *l = 10; }
static void e_trunc_4(char *b, size_t *l) { (void)b; *l = 4; }

// Turns PT_GNU_STACK into a PT_INTERP naming `s` (appended to the file).
static void set_interp(char *b, size_t *l, const char *s, size_t n) {
    Elf64_Phdr *p = phdr(b, PT_GNU_STACK);
    if (!p) return;
    memcpy(b + *l, s, n);
    p->p_type = PT_INTERP;
    p->p_offset = *l;
    p->p_filesz = n;
    p->p_memsz = n;
    *l += n;
}
static void e_interp_missing(char *b, size_t *l) { set_interp(b, l, "/no/such/ld.so", 15); }
static void e_interp_dir(char *b, size_t *l) { set_interp(b, l, "/", 2); }
static void e_interp_noexec(char *b, size_t *l) { set_interp(b, l, "./plain", 8); }
static void e_interp_garbage(char *b, size_t *l) { set_interp(b, l, "./garbage", 10); }
static void e_interp_unterminated(char *b, size_t *l) { set_interp(b, l, "./garbage", 9); }
static void e_interp_empty(char *b, size_t *l) { set_interp(b, l, "", 1); }
static void e_interp_short(char *b, size_t *l) { set_interp(b, l, "x", 1); }

int main(int argc, char **argv) {
    const char *m = getenv("MODE");
    if (m && strcmp(m, "ok") == 0)
        return 0;
    if (m && strcmp(m, "wait") == 0) {
        char c = 'r';
        write(3, &c, 1);
        while (read(0, &c, 1) > 0) {}
        return 0;
    }
    (void)argc;
    load_self(argv[0]);
    printf("loaded own image, ELF magic: %d\n", memcmp(img, ELFMAG, SELFMAG) == 0);
    printf("has PT_GNU_STACK: %d\n", phdr(img, PT_GNU_STACK) != NULL);
    printf("has PT_INTERP: %d\n", phdr(img, PT_INTERP) != NULL);

    write_file("plain", "just text\n", 10);
    chmod("plain", 0644);
    write_file("garbage", "\x7f" "ELF garbage garbage garbage garbage garbage garbage garbage garbage", 68);

    variant("unmodified copy", e_none);
    variant("bad magic", e_magic);
    variant("e_machine aarch64", e_machine);
    variant("e_machine i386 in a 64-bit file", e_machine386);
    variant("e_type ET_REL", e_rel);
    variant("e_type ET_CORE", e_core);
    variant("e_phentsize 32", e_phentsize);
    variant("e_phnum 0", e_phnum0);
    variant("e_phnum 65535", e_phnumbig);
    variant("e_phoff past end of file", e_phoff_eof);
    variant("truncated to the ELF header", e_trunc_hdr);
    variant("truncated to 10 bytes", e_trunc_10);
    variant("truncated to the magic", e_trunc_4);
    variant("PT_INTERP missing file", e_interp_missing);
    variant("PT_INTERP a directory", e_interp_dir);
    variant("PT_INTERP not executable", e_interp_noexec);
    variant("PT_INTERP garbage ELF", e_interp_garbage);
    variant("PT_INTERP not NUL-terminated", e_interp_unterminated);
    variant("PT_INTERP empty string", e_interp_empty);
    variant("PT_INTERP one byte", e_interp_short);
    run("garbage with ELF magic", "./garbage");
    write_file("zero", "", 0);
    run("zero-length file", "./zero");

    // ETXTBSY both ways
    write_file("busy", img, img_len);
    int wfd = open("busy", O_WRONLY);
    printf("opened copy for writing: %d\n", wfd >= 0);
    run("exec while open for writing", "./busy");
    close(wfd);
    run("exec after writer closed", "./busy");
    fflush(stdout);
    int p[2], r[2];
    pipe(p);
    pipe(r);
    pid_t pid = fork();
    if (pid == 0) {
        close(p[1]);
        close(r[0]);
        char *av[] = {"busy", NULL};
        char *ev[] = {"MODE=wait", NULL};
        dup2(p[0], 0);
        dup2(r[1], 3);
        // The copy, run with MODE=wait, says it runs on fd 3, then blocks
        // reading stdin (the pipe).
        execve("./busy", av, ev);
        _exit(127);
    }
    close(p[0]);
    close(r[1]);
    char c = 0;
    printf("running copy reports ready: %d\n", read(r[0], &c, 1) == 1 && c == 'r');
    int fd = open("busy", O_WRONLY);
    printf("open for writing while it runs: %s\n", fd < 0 ? en(errno) : "opened");
    printf("open read-only while it runs: %d\n", (fd = open("busy", O_RDONLY)) >= 0);
    close(fd);
    printf("unlink while it runs: %d\n", unlink("busy") == 0);
    close(p[1]);
    int st;
    waitpid(pid, &st, 0);
    printf("running copy exited: %d status=%d\n", WIFEXITED(st), WEXITSTATUS(st));
    return 0;
}

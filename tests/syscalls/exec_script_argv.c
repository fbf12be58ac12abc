// Scripts in the cwd whose #! line names an interpreter that is itself in the
// cwd (a copy of this program), by absolute and by relative path: the argv the
// interpreter gets ([name, optional argument, script as given, argv[1..]]),
// nesting, the command name, /proc/self/exe, and the execveat forms (the
// script's name becomes /dev/fd/N or /dev/fd/N/name).
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"

// The test's cwd (in the interpreter: as $BASE says).
static char cwd[4096];

// Prints s quoted, the cwd replaced by <cwd>, a "/dev/fd/N" prefix naming
// the descriptor in $DFD by /dev/fd/D, control characters escaped.
static void show(const char *s) {
    size_t n = strlen(cwd);
    putchar('"');
    if (strncmp(s, cwd, n) == 0 && (s[n] == '/' || s[n] == 0)) {
        fputs("<cwd>", stdout);
        s += n;
    }
    const char *d = getenv("DFD");
    char pfx[32];
    if (d) {
        snprintf(pfx, sizeof pfx, "/dev/fd/%s", d);
        size_t k = strlen(pfx);
        if (strncmp(s, pfx, k) == 0 && (s[k] == '/' || s[k] == 0)) {
            fputs("/dev/fd/D", stdout);
            s += k;
        }
    }
    for (; *s; s++) {
        if (*s == '\r') fputs("\\r", stdout);
        else if (*s == '\t') fputs("\\t", stdout);
        else if (*s == '\n') fputs("\\n", stdout);
        else putchar(*s);
    }
    putchar('"');
}

static int interp_mode(int argc, char **argv) {
    snprintf(cwd, sizeof cwd, "%s", getenv("BASE") ? getenv("BASE") : "");
    char comm[17] = {0}, exe[4096] = {0};
    prctl(PR_GET_NAME, comm);
    readlink("/proc/self/exe", exe, sizeof exe - 1);
    printf("  argc=%d comm=%s exe=", argc, comm);
    show(exe);
    putchar('\n');
    for (int i = 0; i < argc; i++) {
        printf("  argv[%d]=", i);
        show(argv[i]);
        putchar('\n');
    }
    fflush(stdout);
    return 7;
}

static void write_file(const char *name, const char *text, size_t len, mode_t mode) {
    unlink(name);
    int fd = open(name, O_CREAT | O_WRONLY | O_TRUNC, 0600);
    write(fd, text, len);
    close(fd);
    chmod(name, mode);
}

static void script(const char *name, const char *text) {
    write_file(name, text, strlen(text), 0755);
}

static void copy_self(const char *from, const char *to) {
    int in = open(from, O_RDONLY), out = open(to, O_CREAT | O_WRONLY | O_TRUNC, 0755);
    char buf[65536];
    ssize_t n;
    while ((n = read(in, buf, sizeof buf)) > 0) write(out, buf, n);
    close(in);
    close(out);
}

enum how { EXECVE, EXECVEAT, FEXECVE };

// Runs `path` (or dirfd/path, or descriptor dirfd) with argv {"argv0", a1,
// a2} in a child, $DFD naming dirfd, from directory `dir` if given.
static void run_at(const char *what, enum how how, int dirfd, const char *path, int flags,
                   const char *dir, char *a1, char *a2) {
    printf("%s:\n", what);
    fflush(stdout);
    int p[2];
    pipe2(p, O_CLOEXEC);
    pid_t pid = fork();
    if (pid == 0) {
        if (dir) chdir(dir);
        char *av[] = {"argv0", a1, a2, NULL};
        char dfd[32];
        snprintf(dfd, sizeof dfd, "DFD=%d", dirfd);
        char base[4200];
        snprintf(base, sizeof base, "BASE=%s", cwd);
        char *ev[] = {"MODE=interp", dfd, base, NULL};
        if (how == EXECVE)
            execve(path, av, ev);
        else if (how == EXECVEAT)
            syscall(SYS_execveat, dirfd, path, av, ev, flags);
        else
            fexecve(dirfd, av, ev);
        exec_failed(p[1]);
    }
    int st;
    int e = exec_outcome(pid, p, &st);
    if (e)
        printf("  exec failed: %s\n", en(e));
    else
        printf("  exit status %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

static void run(const char *what, const char *path, char *a1, char *a2) {
    run_at(what, EXECVE, -1, path, 0, NULL, a1, a2);
}

int main(int argc, char **argv) {
    const char *m = getenv("MODE");
    if (m && strcmp(m, "interp") == 0)
        return interp_mode(argc, argv);
    getcwd(cwd, sizeof cwd);
    copy_self(argv[0], "interp");
    char buf[8192];

    snprintf(buf, sizeof buf, "#!%s/interp\n", cwd);
    script("s_abs", buf);
    run("absolute interpreter path", "./s_abs", "a", "b c");
    script("s_rel", "#!./interp\n");
    run("relative interpreter path", "./s_rel", "a", NULL);
    script("s_bare", "#!interp\n");
    run("bare interpreter name, script by bare name", "s_bare", NULL, NULL);
    script("s_arg", "#!./interp  -x \n");
    run("one argument", "./s_arg", "y", NULL);
    script("s_blanks", "#!\t ./interp \t one  two\tthree \t \nbody\n");
    run("argument with inner blanks", "./s_blanks", NULL, NULL);
    script("s_crlf", "#!./interp -c\r\n");
    run("CRLF keeps the CR", "./s_crlf", NULL, NULL);
    script("s_nonl", "#!./interp");
    run("no newline", "./s_nonl", NULL, NULL);
    script("s_nonl_blank", "#!./interp  ");
    run("no newline, trailing blanks", "./s_nonl_blank", NULL, NULL);
    write_file("s_nul", "#!./interp a\0b\n", 15, 0755);
    run("NUL inside the line", "./s_nul", NULL, NULL);
    snprintf(buf, sizeof buf, "%s/s_rel", cwd);
    run("script by absolute path", buf, "z", NULL);

    script("s_inner", "#!./interp inner\n");
    script("s_outer", "#!./s_inner outer arg\n");
    snprintf(buf, sizeof buf, "#!%s/s_outer\n", cwd);
    script("s_outer2", buf);
    run("nested script", "./s_outer", "x", NULL);
    run("twice nested script", "./s_outer2", NULL, NULL);

    symlink("s_rel", "s_link");
    run("script through a symlink", "./s_link", NULL, NULL);
    symlink("interp", "interp_link");
    script("s_ilink", "#!./interp_link\n");
    run("interpreter through a symlink", "./s_ilink", NULL, NULL);
    snprintf(buf, sizeof buf, "#!%s/interp_link x\n", cwd);
    script("s_iabslink", buf);
    run("absolute interpreter path through a symlink", "./s_iabslink", NULL, NULL);

    mkdir("sub", 0755);
    script("sub/s", "#!./interp\n");
    script("sub/s_up", "#!../interp\n");
    run("script in a subdirectory: interpreter from the cwd", "sub/s", NULL, NULL);
    run("'../' interpreter from the cwd", "sub/s_up", NULL, NULL);
    run_at("from the subdirectory: ./interp is not there", EXECVE, -1, "./s", 0, "sub", NULL,
           NULL);
    run_at("from the subdirectory: ../interp", EXECVE, -1, "./s_up", 0, "sub", NULL, NULL);

    script("s_sh", "#!/bin/sh\necho \"sh: $0 [$1] [$2] $#\"\nexit 3\n");
    run("/bin/sh script", "./s_sh", "first", "second word");

    int dfd = open("sub", O_RDONLY | O_DIRECTORY);
    run_at("execveat relative to a directory fd", EXECVEAT, dfd, "s", 0, NULL, "q", NULL);
    close(dfd);
    dfd = open(".", O_RDONLY | O_DIRECTORY);
    run_at("execveat of a nested script relative to a directory fd", EXECVEAT, dfd, "s_outer",
           0, NULL, NULL, NULL);
    run_at("execveat AT_SYMLINK_NOFOLLOW on a script", EXECVEAT, dfd, "s_rel",
           AT_SYMLINK_NOFOLLOW, NULL, NULL, NULL);
    run_at("execveat AT_SYMLINK_NOFOLLOW on a symlink to a script", EXECVEAT, dfd, "s_link",
           AT_SYMLINK_NOFOLLOW, NULL, NULL, NULL);
    close(dfd);
    int sfd = open("s_arg", O_RDONLY);
    run_at("execveat AT_EMPTY_PATH on a script", EXECVEAT, sfd, "", AT_EMPTY_PATH, NULL, "r",
           NULL);
    run_at("fexecve of a script", FEXECVE, sfd, NULL, 0, NULL, NULL, NULL);
    close(sfd);
    sfd = open("s_ilink", O_PATH);
    run_at("execveat AT_EMPTY_PATH on an O_PATH script", EXECVEAT, sfd, "", AT_EMPTY_PATH, NULL,
           NULL, NULL);
    close(sfd);
    sfd = open("s_outer", O_RDONLY);
    run_at("execveat AT_EMPTY_PATH on a nested script", EXECVEAT, sfd, "", AT_EMPTY_PATH, NULL,
           NULL, NULL);
    close(sfd);
    return 0;
}

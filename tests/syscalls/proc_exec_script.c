// execve of "#!" scripts: the interpreter gets [interp, optional single arg,
// script path as passed to execve, original argv[1..]]; whitespace and CRLF
// handling, nested scripts up to the kernel's depth limit (then ELOOP), and
// the errors for missing, non-executable and empty interpreters.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"


static const char *self;

static void put_escaped(const char *s) {
    putchar('"');
    for (; *s; s++) {
        if (*s == '\r') fputs("\\r", stdout);
        else if (*s == '\t') fputs("\\t", stdout);
        else if (*s == '\n') fputs("\\n", stdout);
        else putchar(*s);
    }
    putchar('"');
}

static int interp_mode(int argc, char **argv) {
    const char *s = getenv("SELF");
    printf("  interp: argc=%d argv0==interp path: %d\n", argc, s && strcmp(argv[0], s) == 0);
    for (int i = 1; i < argc; i++) {
        size_t n = strlen(argv[i]);
        if (n > 60) {
            printf("  interp: argv[%d] long (%s), all x after prefix: %d\n", i,
                   n < 300 ? "truncated" : "full", strspn(argv[i], "x") == n);
            continue;
        }
        printf("  interp: argv[%d]=", i);
        put_escaped(argv[i]);
        putchar('\n');
    }
    fflush(stdout);
    return 5;
}

static void write_file(const char *name, const char *text, mode_t mode) {
    unlink(name);
    int fd = open(name, O_CREAT | O_WRONLY | O_TRUNC, 0600);
    write(fd, text, strlen(text));
    close(fd);
    chmod(name, mode);
}

// Runs path with argv {path-ish, extra...} in a child and reports.
static void run(const char *what, const char *path, char *a1, char *a2) {
    printf("%s:\n", what);
    fflush(stdout);
    int p[2];
    pipe(p);
    pid_t pid = fork();
    if (pid == 0) {
        close(p[0]);
        fcntl(p[1], F_SETFD, FD_CLOEXEC);
        char *av[] = {"argv0-dropped", a1, a2, NULL};
        char env[4096];
        snprintf(env, sizeof env, "SELF=%s", self);
        char *ev[] = {"MODE=interp", env, "PATH=/bin", NULL};
        execve(path, av, ev);
        exec_failed(p[1]);
    }
    int st;
    int e = exec_outcome(pid, p, &st);
    if (e)
        printf("  execve failed: %s\n", en(e));
    else
        printf("  exec ok, exit status %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

int main(int argc, char **argv) {
    const char *m = getenv("MODE");
    if (m && strcmp(m, "interp") == 0)
        return interp_mode(argc, argv);
    self = argv[0];
    char buf[8192];

    snprintf(buf, sizeof buf, "#!%s\nignored body\n", self);
    write_file("s_noarg", buf, 0755);
    run("no interpreter argument", "./s_noarg", "x", "y z");

    snprintf(buf, sizeof buf, "#!%s one-arg\n", self);
    write_file("s_arg", buf, 0755);
    run("one interpreter argument", "./s_arg", "x", NULL);

    snprintf(buf, sizeof buf, "#!%s -a -b  c\n", self);
    write_file("s_multi", buf, 0755);
    run("several words are one argument", "./s_multi", NULL, NULL);

    snprintf(buf, sizeof buf, "#! \t %s \t spaced arg \t \nbody\n", self);
    write_file("s_space", buf, 0755);
    run("surrounding whitespace stripped", "./s_space", "1", NULL);

    snprintf(buf, sizeof buf, "#!%s crlf\r\n", self);
    write_file("s_crlf", buf, 0755);
    run("CRLF line end keeps the CR", "./s_crlf", NULL, NULL);

    snprintf(buf, sizeof buf, "#!%s no-newline", self);
    write_file("s_nonl", buf, 0755);
    run("no trailing newline", "./s_nonl", NULL, NULL);

    snprintf(buf, sizeof buf, "#!%s ", self);
    size_t l = strlen(buf);
    memset(buf + l, 'x', 400);
    strcpy(buf + l + 400, "\n");
    write_file("s_longarg", buf, 0755);
    run("argument longer than the #! buffer", "./s_longarg", NULL, NULL);

    run("script by plain name in cwd", "s_arg", NULL, NULL);

    // nesting: s_outer's interpreter is the script s_inner
    snprintf(buf, sizeof buf, "#!%s inner-arg\n", self);
    write_file("s_inner", buf, 0755);
    write_file("s_outer", "#!./s_inner outer-arg\n", 0755);
    run("nested script", "./s_outer", "x", NULL);

    // depth: chain_k runs chain_{k-1}, chain_0 runs the program
    snprintf(buf, sizeof buf, "#!%s\n", self);
    write_file("chain0", buf, 0755);
    for (int k = 1; k <= 7; k++) {
        char name[16], text[64], what[64];
        snprintf(name, sizeof name, "chain%d", k);
        snprintf(text, sizeof text, "#!./chain%d\n", k - 1);
        write_file(name, text, 0755);
        snprintf(what, sizeof what, "chain of %d scripts", k + 1);
        char path[24];
        snprintf(path, sizeof path, "./%s", name);
        run(what, path, NULL, NULL);
    }

    write_file("s_sh", "#!/bin/sh\necho \"sh script: $0 [$1] [$2]\"\nexit 3\n", 0755);
    run("/bin/sh script", "./s_sh", "first", "second word");

    write_file("s_missing", "#!/no/such/interpreter\n", 0755);
    run("missing interpreter", "./s_missing", NULL, NULL);
    write_file("s_missing_arg", "#!/no/such/interpreter -x\n", 0755);
    run("missing interpreter with argument", "./s_missing_arg", NULL, NULL);
    write_file("s_dirinterp", "#!/\n", 0755);
    run("directory as interpreter", "./s_dirinterp", NULL, NULL);
    write_file("noexec_interp", buf, 0644);
    write_file("s_noexec_interp", "#!./noexec_interp\n", 0755);
    run("non-executable interpreter", "./s_noexec_interp", NULL, NULL);
    write_file("s_notexec", "#!/bin/sh\nexit 0\n", 0644);
    run("non-executable script", "./s_notexec", NULL, NULL);
    write_file("s_empty", "#!\n", 0755);
    run("empty #! line", "./s_empty", NULL, NULL);
    write_file("s_blank", "#!   \t \n", 0755);
    run("blank #! line", "./s_blank", NULL, NULL);
    write_file("s_bang_only", "#!", 0755);
    run("file is just #!", "./s_bang_only", NULL, NULL);
    write_file("s_hash_space", "# !/bin/sh\n", 0755);
    run("'# !' is not a #! line", "./s_hash_space", NULL, NULL);
    write_file("s_garbage", "\x01\x02garbage\n", 0755);
    run("garbage file", "./s_garbage", NULL, NULL);
    write_file("s_empty_file", "", 0755);
    run("empty file", "./s_empty_file", NULL, NULL);
    return 0;
}

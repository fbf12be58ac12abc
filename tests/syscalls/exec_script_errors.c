// How execve of #! scripts fails: interpreters in the cwd that are missing,
// not executable, directories, symlink loops or broken scripts; #! lines that
// are empty or whose name the 256-byte buffer cuts; nesting past Linux's
// limit (ELOOP, after the interpreter was looked up); close-on-exec
// descriptors (ENOENT); and bad argv/envp pointers, which fail first.
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

// Prints the arguments after argv[0]: long ones by length, the cwd as <cwd>.
static int interp_mode(int argc, char **argv) {
    char cwd[4096];
    getcwd(cwd, sizeof cwd);
    size_t c = strlen(cwd);
    printf("  interpreter runs: argc=%d", argc);
    for (int i = 1; i < argc; i++) {
        size_t n = strlen(argv[i]);
        if (strncmp(argv[i], cwd, c) == 0 && argv[i][c] == '/')
            printf(" [<cwd>%s]", argv[i] + c);
        else if (n > 40)
            printf(" [%zu bytes]", n);
        else
            printf(" [%s]", argv[i]);
    }
    printf("\n");
    fflush(stdout);
    return 7;
}

static void write_file(const char *name, const char *text, mode_t mode) {
    unlink(name);
    int fd = open(name, O_CREAT | O_WRONLY | O_TRUNC, 0600);
    write(fd, text, strlen(text));
    close(fd);
    chmod(name, mode);
}

static void script(const char *name, const char *text) {
    write_file(name, text, 0755);
}

static void copy_file(const char *from, const char *to, mode_t mode) {
    int in = open(from, O_RDONLY), out = open(to, O_CREAT | O_WRONLY | O_TRUNC, 0700);
    char buf[65536];
    ssize_t n;
    while ((n = read(in, buf, sizeof buf)) > 0) write(out, buf, n);
    close(in);
    close(out);
    chmod(to, mode);
}

#define BAD ((char *)1)
// Stands for a NULL argv in run_full.
static char *null_argv[1];

// Runs execveat(dirfd, path, flags) in a child with argv {"argv0", a1}
// (argv itself replaced by `av` when given) and environment `ev`.
static void run_full(const char *what, int dirfd, const char *path, int flags, char **av,
                     char **ev) {
    printf("%s:\n", what);
    fflush(stdout);
    int p[2];
    pipe2(p, O_CLOEXEC);
    pid_t pid = fork();
    if (pid == 0) {
        char *dav[] = {"argv0", "arg", NULL};
        char *dev[] = {"MODE=interp", NULL};
        if (!av) av = dav;
        if (av == null_argv) av = NULL;
        syscall(SYS_execveat, dirfd, path, av, ev ? ev : dev, flags);
        exec_failed(p[1]);
    }
    int st;
    int e = exec_outcome(pid, p, &st);
    if (e)
        printf("  exec failed: %s\n", en(e));
    else
        printf("  exit status %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

static void run(const char *what, const char *path) {
    run_full(what, AT_FDCWD, path, 0, NULL, NULL);
}

int main(int argc, char **argv) {
    const char *m = getenv("MODE");
    if (m && strcmp(m, "interp") == 0)
        return interp_mode(argc, argv);
    (void)argc;
    char cwd[4096], buf[8192];
    getcwd(cwd, sizeof cwd);
    copy_file(argv[0], "interp", 0755);
    copy_file(argv[0], "noexec", 0644);
    write_file("plain", "text\n", 0644);
    write_file("garbage", "\001\002 not a program\n", 0755);
    mkdir("dir", 0755);
    symlink("loop", "loop");
    symlink("nowhere", "dangling");

    script("s_ok", "#!./interp\n");
    run("control: a working script", "./s_ok");
    script("s_missing", "#!./missing\n");
    run("missing interpreter", "./s_missing");
    snprintf(buf, sizeof buf, "#!%s/missing -x\n", cwd);
    script("s_missing_abs", buf);
    run("missing interpreter by absolute path", "./s_missing_abs");
    script("s_notdir", "#!./plain/x\n");
    run("interpreter under a file", "./s_notdir");
    script("s_noexec", "#!./noexec\n");
    run("interpreter not executable", "./s_noexec");
    script("s_dir", "#!./dir\n");
    run("interpreter is a directory", "./s_dir");
    script("s_dot", "#!.\n");
    run("interpreter is '.'", "./s_dot");
    script("s_loop", "#!./loop\n");
    run("interpreter is a symlink loop", "./s_loop");
    script("s_dangling", "#!./dangling\n");
    run("interpreter is a dangling symlink", "./s_dangling");
    script("s_garbage", "#!./garbage\n");
    run("interpreter is no program", "./s_garbage");
    script("s_empty_line", "#!\n");
    script("s_bad_interp", "#!./s_empty_line\n");
    run("interpreter is a script with an empty #! line", "./s_bad_interp");
    run("empty #! line", "./s_empty_line");
    script("s_blank", "#! \t \n");
    run("blank #! line", "./s_blank");
    script("s_bang", "#!");
    run("file is just #! (the name is empty: the cwd)", "./s_bang");
    write_file("s_notexec", "#!./interp\n", 0644);
    run("script not executable", "./s_notexec");
    write_file("s_xonly", "#!./interp\n", 0111);
    run("script executable but not readable", "./s_xonly");

    // The 256-byte buffer: a long path to the interpreter through nested
    // directories, then lines where it is cut.
    char deep[300] = ".";
    while (strlen(deep) < 230) {
        strcat(deep, "/dddddddddd");
        mkdir(deep, 0755);
    }
    char target[400];
    snprintf(target, sizeof target, "%s/i", deep);
    link("interp", target);
    snprintf(buf, sizeof buf, "#!%s\n", target);
    script("s_long", buf);
    printf("path length %zu\n", strlen(target));
    run("long interpreter path", "./s_long");
    snprintf(buf, sizeof buf, "#!%s ", target);
    memset(buf + strlen(buf), 'y', 300);
    buf[strlen(target) + 3 + 300] = 0;
    script("s_long_arg", buf);
    run("argument cut by the buffer", "./s_long_arg");
    // Pad the name with slashes so that it ends just before byte 254, 255
    // and 256 (past the buffer).
    for (int end = 254; end <= 256; end++) {
        char name[1024];
        int pad = end - 2 - (int)strlen(target);
        snprintf(name, sizeof name, ".%.*s%s", pad + 1, "///////////////////////////////",
                 target + 2);
        snprintf(buf, sizeof buf, "#!%s x\n", name);
        script("s_edge", buf);
        char what[80];
        snprintf(what, sizeof what, "name ending before byte %d, no newline in the buffer", end);
        run(what, "./s_edge");
    }
    memset(buf, 0, sizeof buf);
    strcpy(buf, "#!./interp");
    memset(buf + 10, ' ', 300);
    script("s_blank_tail", buf);
    run("name then blanks past the buffer", "./s_blank_tail");

    // Nesting: chain_k runs chain_{k-1}, chain_0 runs the interpreter.
    script("chain_0", "#!./interp\n");
    script("miss_0", "#!./missing\n");
    for (int k = 1; k <= 7; k++) {
        char name[32], text[64];
        snprintf(name, sizeof name, "chain_%d", k);
        snprintf(text, sizeof text, "#!./chain_%d\n", k - 1);
        script(name, text);
        snprintf(name, sizeof name, "miss_%d", k);
        snprintf(text, sizeof text, "#!./miss_%d\n", k - 1);
        script(name, text);
    }
    for (int k = 3; k <= 7; k++) {
        char path[32], what[96];
        snprintf(path, sizeof path, "./chain_%d", k);
        snprintf(what, sizeof what, "%d nested scripts", k + 1);
        run(what, path);
        snprintf(path, sizeof path, "./miss_%d", k);
        snprintf(what, sizeof what, "%d nested scripts, the last one's interpreter missing",
                 k + 1);
        run(what, path);
    }

    // Descriptors.
    int fd = open("s_ok", O_RDONLY | O_CLOEXEC);
    run_full("AT_EMPTY_PATH on a close-on-exec script descriptor", fd, "", AT_EMPTY_PATH, NULL,
             NULL);
    close(fd);
    fd = open("s_empty_line", O_RDONLY | O_CLOEXEC);
    run_full("the same with an empty #! line", fd, "", AT_EMPTY_PATH, NULL, NULL);
    close(fd);
    fd = open("s_missing", O_RDONLY);
    run_full("AT_EMPTY_PATH on a script whose interpreter is missing", fd, "", AT_EMPTY_PATH,
             NULL, NULL);
    close(fd);
    fd = open("s_notexec", O_RDONLY);
    run_full("AT_EMPTY_PATH on a script not executable", fd, "", AT_EMPTY_PATH, NULL, NULL);
    close(fd);
    fd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    run_full("relative to a close-on-exec directory descriptor", fd, "s_ok", 0, NULL, NULL);
    close(fd);
    snprintf(buf, sizeof buf, "%s/s_ok", cwd);
    fd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    run_full("absolute script path ignores a close-on-exec directory descriptor", fd, buf, 0,
             NULL, NULL);
    close(fd);
    run_full("unknown execveat flag", AT_FDCWD, "./s_ok", 0x4, NULL, NULL);

    // Bad pointers come before the script's errors.
    char *bad_av[] = {"argv0", BAD, NULL};
    char *bad_ev[] = {"MODE=interp", BAD, NULL};
    run_full("missing interpreter, bad argv string", AT_FDCWD, "./s_missing", 0, bad_av, NULL);
    run_full("missing interpreter, bad envp string", AT_FDCWD, "./s_missing", 0, NULL, bad_ev);
    run_full("missing interpreter, bad argv array", AT_FDCWD, "./s_missing", 0, (char **)BAD,
             NULL);
    run_full("empty #! line, bad argv string", AT_FDCWD, "./s_empty_line", 0, bad_av, NULL);
    run_full("working script, bad argv string", AT_FDCWD, "./s_ok", 0, bad_av, NULL);
    run_full("missing script, bad argv string", AT_FDCWD, "./nothing", 0, bad_av, NULL);
    char *noargs[] = {NULL};
    run_full("working script, empty argv", AT_FDCWD, "./s_ok", 0, noargs, NULL);
    run_full("working script, NULL argv", AT_FDCWD, "./s_ok", 0, null_argv, NULL);
    return 0;
}

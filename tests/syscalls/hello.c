// The smallest differential case: stdio, argv[0], exit status.
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
    printf("hello, argc=%d\n", argc);
    printf("argv0 ends with hello: %d\n", strstr(argv[0], "hello") != NULL);
    char cwd[256];
    printf("getcwd ok: %d\n", getcwd(cwd, sizeof cwd) != NULL);
    fprintf(stderr, "to stderr\n");
    return 3;
}

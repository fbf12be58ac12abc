// difftest: dynamic
// A dynamically linked glibc program: PT_INTERP is resolved inside the
// guest's root, the loader maps libc, and the program runs.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>

int main(void) {
    printf("dynamic hello\n");
    printf("AT_PAGESZ=%lu\n", getauxval(AT_PAGESZ));
    printf("AT_BASE nonzero=%d\n", getauxval(AT_BASE) != 0);
    char *p = strdup("heap works");
    printf("%s\n", p);
    free(p);
    return 0;
}

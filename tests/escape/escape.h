/* Shared by the escape programs: each attempt prints one line,
 * "held WHAT: DETAIL" when it failed as it must, or
 * "ESCAPE WHAT: DETAIL" when the guest got what it must not. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

static inline void report(const char *what, int escaped, const char *detail)
{
    printf("%s %s: %s\n", escaped ? "ESCAPE" : "held", what, detail);
    fflush(stdout);
}

/* An attempt that must fail: r < 0 is held (errno tells how). */
static inline void expect_fail(const char *what, long r)
{
    if (r < 0)
        report(what, 0, strerror(errno));
    else
        report(what, 1, "succeeded");
}

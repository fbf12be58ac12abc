/* runas UID PROGRAM ARGS...: runs PROGRAM as an ordinary guest user
 * (uid and gid UID, no supplementary groups, no capabilities). */
#include <grp.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 3)
        return 2;
    gid_t id = (gid_t)atoi(argv[1]);
    if (setgroups(0, NULL) || setgid(id) || setuid(id))
        return 3;
    execv(argv[2], argv + 2);
    return 127;
}

/* Finding 7 of the isolation issue: on a hostfs root, set-ID bits and
 * file capabilities the guest sets must never reach the host file (a
 * setuid program, or one with file capabilities, owned by ruml's host
 * user: root's when ruml runs as root). Usage: hostfs_setid DIR */
#include "escape.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 2 || chdir(argv[1]) != 0)
        return 2;
    char name[64];
    snprintf(name, sizeof name, "setid-%d", (int)getuid());
    unlink(name);
    int fd = open(name, O_CREAT | O_WRONLY, 04755);
    if (fd < 0) {
        report("create", 1, strerror(errno));
        return 1;
    }
    struct stat st;
    fstat(fd, &st);
    report("set-ID bits from open(O_CREAT)", (st.st_mode & 06000) != 0, "mode checked");
    chmod(name, 06755);
    stat(name, &st);
    report("set-ID bits from chmod", (st.st_mode & 06000) != 0, "mode checked");
    fchmod(fd, 04711);
    fstat(fd, &st);
    report("set-ID bits from fchmod", (st.st_mode & 06000) != 0, "mode checked");
    /* VFS_CAP_REVISION_2, cap_net_raw permitted and effective. */
    unsigned char cap[20] = {0x01, 0x00, 0x00, 0x02, 0x00, 0x20};
    expect_fail("setxattr security.capability",
                setxattr(name, "security.capability", cap, sizeof cap, 0));
    expect_fail("fsetxattr security.capability",
                fsetxattr(fd, "security.capability", cap, sizeof cap, 0));
    close(fd);
    printf("made %s\n", name);
    return 0;
}

/* A FIFO and an AF_UNIX stream socket in the directory given as argv[1]:
 * a child writes through each, the parent reads; prints what it got. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

int main(int argc, char **argv) {
    if (argc != 2) return 2;
    char fifo[200], sock[200], buf[64];
    snprintf(fifo, sizeof fifo, "%s/fifo", argv[1]);
    snprintf(sock, sizeof sock, "%s/sock", argv[1]);
    if (mkfifo(fifo, 0600) != 0) { perror("mkfifo"); return 1; }
    struct stat st;
    stat(fifo, &st);
    printf("fifo is a fifo: %d\n", S_ISFIFO(st.st_mode));
    fflush(stdout);
    if (fork() == 0) {
        int w = open(fifo, O_WRONLY);
        write(w, "through the fifo", 16);
        _exit(0);
    }
    int r = open(fifo, O_RDONLY);
    ssize_t n = read(r, buf, sizeof buf);
    printf("fifo read: %.*s\n", (int)n, buf);
    wait(NULL);

    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un a = { .sun_family = AF_UNIX };
    strncpy(a.sun_path, sock, sizeof a.sun_path - 1);
    if (bind(s, (struct sockaddr *)&a, sizeof a) != 0) { perror("bind"); return 1; }
    listen(s, 1);
    stat(sock, &st);
    printf("sock is a socket: %d\n", S_ISSOCK(st.st_mode));
    fflush(stdout);
    if (fork() == 0) {
        int c = socket(AF_UNIX, SOCK_STREAM, 0);
        if (connect(c, (struct sockaddr *)&a, sizeof a) != 0) { perror("connect"); _exit(1); }
        write(c, "through the socket", 18);
        _exit(0);
    }
    int c = accept(s, NULL, NULL);
    n = read(c, buf, sizeof buf);
    printf("socket read: %.*s\n", (int)n, buf);
    int status;
    wait(&status);
    printf("child status: %d\n", status);
    unlink(sock);
    unlink(fifo);
    printf("removed: %d\n", access(sock, F_OK) != 0 && access(fifo, F_OK) != 0);
    return 0;
}

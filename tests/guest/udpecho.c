/* UDP echo for the network tests.
 *   udpecho server PORT          echo every datagram back to its sender
 *   udpecho client ADDR PORT N   send N datagrams of growing sizes (up to
 *                                1400 bytes), check each echo, print
 *                                "udp echo ok N" or what went wrong */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "server") == 0) {
        int s = socket(AF_INET, SOCK_DGRAM, 0);
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(atoi(argv[2]))};
        if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) < 0) {
            perror("udpecho server");
            return 1;
        }
        for (;;) {
            char buf[2048];
            struct sockaddr_in from;
            socklen_t fl = sizeof from;
            ssize_t n = recvfrom(s, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl);
            if (n >= 0)
                sendto(s, buf, n, 0, (struct sockaddr *)&from, fl);
        }
    }
    if (argc == 5 && strcmp(argv[1], "client") == 0) {
        int s = socket(AF_INET, SOCK_DGRAM, 0);
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(atoi(argv[3]))};
        if (s < 0 || inet_pton(AF_INET, argv[2], &a.sin_addr) != 1 ||
            connect(s, (struct sockaddr *)&a, sizeof a) < 0) {
            perror("udpecho client");
            return 1;
        }
        struct timeval tv = {.tv_sec = 1};
        setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        int n = atoi(argv[4]), ok = 0;
        for (int i = 0; i < n; i++) {
            char out[1400], in[2048];
            size_t len = 1 + (size_t)i * 97 % sizeof out;
            for (size_t j = 0; j < len; j++)
                out[j] = (char)(i * 31 + j);
            for (int attempt = 0; attempt < 5; attempt++) {
                if (send(s, out, len, 0) != (ssize_t)len) {
                    perror("send");
                    return 1;
                }
                ssize_t got = recv(s, in, sizeof in, 0);
                if (got == (ssize_t)len && memcmp(in, out, len) == 0) {
                    ok++;
                    break;
                }
            }
        }
        if (ok != n) {
            printf("udp echo failed: %d of %d\n", ok, n);
            return 1;
        }
        printf("udp echo ok %d\n", n);
        return 0;
    }
    fprintf(stderr, "usage: udpecho server PORT | client ADDR PORT N\n");
    return 2;
}

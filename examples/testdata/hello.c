/* The program of static.sec: prints a line and exits. With the argument
 * "socket" it tries to open a packet socket, which the policy forbids,
 * and prints why it could not. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv) {
	if (argc > 1 && strcmp(argv[1], "socket") == 0) {
		int fd = socket(AF_PACKET, SOCK_RAW, 0);
		if (fd < 0) {
			printf("socket: %s\n", strerror(errno));
			return 1;
		}
		close(fd);
		printf("socket: opened\n");
		return 0;
	}
	printf("hello from a static program\n");
	return 0;
}

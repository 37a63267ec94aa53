// expect: pass
// TCP and UDP to the outside and the Docker gateway: answers right only if all fail.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <iostream>
int main() {
  int leaks = 0;
  const char* hosts[] = {"1.1.1.1", "8.8.8.8", "172.17.0.1"};
  for (const char* h : hosts) {
    sockaddr_in a{}; a.sin_family = AF_INET; a.sin_port = htons(53); inet_pton(AF_INET, h, &a.sin_addr);
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (s >= 0 && connect(s, (sockaddr*)&a, sizeof a) == 0) leaks++;
    if (s >= 0) close(s);
    int u = socket(AF_INET, SOCK_DGRAM, 0);
    if (u >= 0 && sendto(u, "x", 1, 0, (sockaddr*)&a, sizeof a) == 1) leaks++;
    if (u >= 0) close(u);
  }
  long long x, y; std::cin >> x >> y;
  if (leaks) std::cout << "LEAK " << leaks << "\n"; else std::cout << x + y << "\n";
}

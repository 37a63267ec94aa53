// expect: pass
// A daemon that spins forever after the answer; the grade must still end promptly.
#include <unistd.h>
#include <iostream>
int main() {
  long long x, y; std::cin >> x >> y;
  std::cout << x + y << std::endl;
  if (fork() == 0) { setsid(); if (fork() == 0) { close(0); close(1); close(2); for (volatile long i = 0;; i++) {} } _exit(0); }
  return 0;
}

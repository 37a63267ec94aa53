// expect: pass
#include <unistd.h>
#include <iostream>
int main() {
  for (int i = 0; i < 10000; i++) { pid_t p = fork(); if (p == 0) _exit(0); if (p < 0) break; }
  long long x, y; std::cin >> x >> y; std::cout << x + y << "\n";
}

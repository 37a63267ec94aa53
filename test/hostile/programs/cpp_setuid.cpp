// expect: pass
#include <sys/mount.h>
#include <unistd.h>
#include <iostream>
int main() {
  int leaks = 0;
  if (setuid(0) == 0) leaks++;
  if (setgid(0) == 0) leaks++;
  if (chroot("/tmp") == 0) leaks++;
  if (mount("none", "/tmp", "tmpfs", 0, nullptr) == 0) leaks++;
  if (geteuid() == 0) leaks++;
  long long x, y; std::cin >> x >> y;
  if (leaks) std::cout << "LEAK " << leaks << "\n"; else std::cout << x + y << "\n";
}

// expect: pass
// prlimit(2) on PID 1 (the agent) and on its own parent: must be refused (another uid).
#include <sys/resource.h>
#include <sys/types.h>
#include <unistd.h>
#include <iostream>
int main() {
  int done = 0;
  struct rlimit one = {1, 1};
  for (pid_t pid : {(pid_t)1, getppid()}) {
    for (int r : {RLIMIT_NPROC, RLIMIT_STACK, RLIMIT_CPU, RLIMIT_NOFILE, RLIMIT_AS, RLIMIT_FSIZE}) {
      if (prlimit(pid, (__rlimit_resource)r, &one, nullptr) == 0) done++;
    }
  }
  long long a, b;
  std::cin >> a >> b;
  if (done) std::cout << "LEAK " << done << "\n"; else std::cout << a + b << "\n";
}

// expect: fail timeout|runtime_error
#include <thread>
#include <vector>
int main() {
  std::vector<std::thread> t;
  for (int i = 0; i < 16; i++) t.emplace_back([] { volatile long x = 0; for (;;) x++; });
  for (auto& th : t) th.join();
}

// expect: pass
// Worker threads, then a recursion a million deep on the main stack: both fine under the judge's limits.
#include <atomic>
#include <iostream>
#include <thread>
#include <vector>
int depth(int n) { volatile int x = n; return n == 0 ? 0 : depth(n - 1) + 1 + x * 0; }
int main() {
  long long a, b; std::cin >> a >> b;
  std::atomic<int> done{0};
  std::vector<std::thread> ts;
  for (int i = 0; i < 4; i++) ts.emplace_back([&] { done++; });
  for (auto& t : ts) t.join();
  std::cout << a + b + done - 4 + depth(1000000) - 1000000 << "\n";
}

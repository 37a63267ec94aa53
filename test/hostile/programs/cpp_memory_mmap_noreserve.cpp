// expect: fail memory_limit|runtime_error
// mmap with MAP_NORESERVE, then touching every page: the cgroup has the last word.
#include <sys/mman.h>
#include <cstdio>
int main() {
  size_t n = (size_t)16 << 30;
  char* p = (char*)mmap(nullptr, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) return 3;
  for (size_t i = 0; i < n; i += 4096) p[i] = 1;
  std::puts("done");
}

// expect: pass|fail runtime_error
// Fills /tmp and /work until ENOSPC (or the file-size limit's SIGXFSZ), then answers.
#include <cstdio>
#include <iostream>
int main() {
  static char b[1 << 20];
  for (const char* p : {"/tmp/fill", "/work/fill"}) {
    FILE* f = std::fopen(p, "wb");
    if (!f) continue;
    while (std::fwrite(b, 1, sizeof b, f) == sizeof b && std::fflush(f) == 0) {}
    std::fclose(f);
  }
  long long a, c; std::cin >> a >> c; std::cout << a + c << "\n";
}

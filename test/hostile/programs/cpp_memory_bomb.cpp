// expect: fail memory_limit|runtime_error
// Allocates and touches 64 MB blocks forever.
#include <cstring>
#include <vector>
int main() {
  std::vector<char*> v;
  for (;;) { char* p = new char[64 << 20]; std::memset(p, 1, 64 << 20); v.push_back(p); }
}

// expect: fail runtime_error|memory_limit
#include <cstdio>
int f(int n) { volatile char buf[4096]; buf[0] = (char)n; return f(n + 1) + buf[0]; }
int main() { std::printf("%d\n", f(0)); }

// expect: fail compile_error|timeout
// Unbounded template recursion: the compiler must stop (its depth limit or our compile limit).
template <int N> struct B { static const int v = B<N + 1>::v + 1; };
int main() { return B<0>::v; }

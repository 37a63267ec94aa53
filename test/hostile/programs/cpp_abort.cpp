// expect: fail runtime_error
#include <cstdlib>
int main() { std::abort(); }

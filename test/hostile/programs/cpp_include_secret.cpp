// expect: fail compile_error
// Includes a host secret at compile time: the compiler runs in the sandbox too.
#include "/etc/shadow"
int main() {}

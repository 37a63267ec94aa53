// expect: fail timeout|runtime_error
#include <unistd.h>
int main() { for (;;) fork(); }

// expect: fail wrong_answer|timeout|output_limit
#include <unistd.h>
int main() { static char b[1 << 16]; for (int i = 0; i < (1 << 16); i++) b[i] = 'x'; for (;;) write(1, b, sizeof b); }

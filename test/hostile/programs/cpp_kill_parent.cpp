// expect: fail runtime_error|wrong_answer|timeout
#include <csignal>
#include <unistd.h>
int main() { kill(getppid(), SIGKILL); kill(1, SIGKILL); return 0; }

// expect: fail runtime_error|wrong_answer
#include <csignal>
int main() { kill(-1, SIGKILL); return 0; }

/* Prototype: set up a sandboxed program's process and exec it, without a
 * Python preexec_fn. verdict_launch [--oom N] [--rlimit R:SOFT:HARD]...
 *   [--ids UID:GID] [--status-fd FD] -- PROGRAM ARGS...
 * R is a number (RLIMIT_*). On any failure before exec: message on FD, exit 127. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

static int status_fd = -1;

static void fail(const char *what) {
  char buf[256];
  int n = snprintf(buf, sizeof buf, "%s: %s", what, strerror(errno));
  if (status_fd >= 0 && n > 0) (void)!write(status_fd, buf, (size_t)n);
  _exit(127);
}

int main(int argc, char **argv) {
  int i = 1;
  for (; i < argc; i++) {
    if (!strcmp(argv[i], "--")) { i++; break; }
    if (i + 1 >= argc) { errno = EINVAL; fail("usage"); }
    const char *v = argv[++i];
    if (!strcmp(argv[i - 1], "--status-fd")) {
      status_fd = atoi(v);
    } else if (!strcmp(argv[i - 1], "--oom")) {
      int fd = open("/proc/self/oom_score_adj", O_WRONLY);
      if (fd >= 0) { (void)!write(fd, v, strlen(v)); close(fd); }
    } else if (!strcmp(argv[i - 1], "--rlimit")) {
      unsigned long long r, s, h;
      if (sscanf(v, "%llu:%llu:%llu", &r, &s, &h) != 3) { errno = EINVAL; fail("--rlimit"); }
      struct rlimit rl = { (rlim_t)s, (rlim_t)h };
      if (setrlimit((int)r, &rl)) fail("setrlimit");
    } else if (!strcmp(argv[i - 1], "--ids")) {
      unsigned u, g;
      if (sscanf(v, "%u:%u", &u, &g) != 2) { errno = EINVAL; fail("--ids"); }
      if (setgroups(0, NULL)) fail("setgroups");
      if (setresgid(g, g, g)) fail("setresgid");
      if (setresuid(u, u, u)) fail("setresuid");
      uid_t a, b, c; gid_t x, y, z;
      if (getresuid(&a, &b, &c) || a != u || b != u || c != u) { errno = EPERM; fail("uid check"); }
      if (getresgid(&x, &y, &z) || x != g || y != g || z != g) { errno = EPERM; fail("gid check"); }
    } else { errno = EINVAL; fail(argv[i - 1]); }
  }
  if (i >= argc) { errno = EINVAL; fail("no program"); }
  execvp(argv[i], argv + i);
  fail("exec");
}

/* verdict_launch: the agent's spawn path for programs it execs (not its
 * Python forks). It does in a small static binary what the agent's Python
 * preexec_fn did, because a preexec_fn costs ~10-15 ms per spawn (the child
 * runs Python after fork: no vfork, copy-on-write faults) against ~1 ms here.
 *
 *   verdict_launch [--status-fd FD] [--oom N] [--rlimit R:SOFT:HARD]...
 *                  [--ids UID:GID] -- PROGRAM ARGS...
 *
 * Options apply in order (the agent puts --ids last: rlimits are set while
 * still root, as before). R is the RLIMIT_* number. On any failure before the
 * program runs, a message goes to FD and the exit status is 127; FD is
 * close-on-exec, so the agent reads EOF once PROGRAM has been exec'd.
 * PROGRAM is looked up on PATH of the environment it was given. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

static int status_fd = -1;

static void fail(const char *what, const char *arg) {
  char buf[512];
  int n = snprintf(buf, sizeof buf, "launch: %s%s%s: %s", what, arg ? " " : "", arg ? arg : "",
                   strerror(errno));
  if (status_fd >= 0 && n > 0) (void)!write(status_fd, buf, (size_t)(n < (int)sizeof buf ? n : (int)sizeof buf - 1));
  _exit(127);
}

static unsigned long long number(const char *s, const char *opt) {
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || end == s || *end) { errno = EINVAL; fail(opt, s); }
  return v;
}

/* The candidate and a judge's exec'd programs hold no capability: setresuid
 * away from 0 without PR_SET_KEEPCAPS clears them; check it did. */
static int holds_capabilities(void) {
  struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
  struct __user_cap_data_struct data[2];
  if (syscall(SYS_capget, &hdr, data)) return 1;
  return data[0].effective || data[0].permitted || data[1].effective || data[1].permitted;
}

static void become(const char *v) {
  char *colon = strchr(v, ':');
  if (!colon) { errno = EINVAL; fail("--ids", v); }
  char uid_s[32];
  size_t len = (size_t)(colon - v);
  if (len == 0 || len >= sizeof uid_s) { errno = EINVAL; fail("--ids", v); }
  memcpy(uid_s, v, len);
  uid_s[len] = 0;
  uid_t u = (uid_t)number(uid_s, "--ids");
  gid_t g = (gid_t)number(colon + 1, "--ids");
  if (u == 0 || g == 0) { errno = EINVAL; fail("--ids", v); }
  if (setgroups(0, NULL)) fail("setgroups", NULL);
  if (setresgid(g, g, g)) fail("setresgid", NULL);
  if (setresuid(u, u, u)) fail("setresuid", NULL);
  uid_t a, b, c;
  gid_t x, y, z;
  if (getresuid(&a, &b, &c) || a != u || b != u || c != u) { errno = EPERM; fail("uid not reached", v); }
  if (getresgid(&x, &y, &z) || x != g || y != g || z != g) { errno = EPERM; fail("gid not reached", v); }
  if (getgroups(0, NULL) != 0) { errno = EPERM; fail("groups left", v); }
  if (holds_capabilities()) { errno = EPERM; fail("capabilities left", v); }
}

int main(int argc, char **argv) {
  int i = 1;
  for (; i < argc; i++) {
    const char *opt = argv[i];
    if (!strcmp(opt, "--")) { i++; break; }
    if (i + 1 >= argc) { errno = EINVAL; fail("missing value of", opt); }
    const char *v = argv[++i];
    if (!strcmp(opt, "--status-fd")) {
      status_fd = (int)number(v, opt);
      if (fcntl(status_fd, F_SETFD, FD_CLOEXEC)) { status_fd = -1; fail("--status-fd", v); }
    } else if (!strcmp(opt, "--oom")) {
      /* best effort, as before: a kernel without it still runs the program */
      int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
      if (fd >= 0) { (void)!write(fd, v, strlen(v)); close(fd); }
    } else if (!strcmp(opt, "--rlimit")) {
      unsigned long long r, s, h;
      char extra;
      if (sscanf(v, "%llu:%llu:%llu%c", &r, &s, &h, &extra) != 3) { errno = EINVAL; fail(opt, v); }
      struct rlimit rl = { (rlim_t)s, (rlim_t)h };
      if (setrlimit((int)r, &rl)) fail("setrlimit", v);
    } else if (!strcmp(opt, "--ids")) {
      become(v);
    } else {
      errno = EINVAL;
      fail("unknown option", opt);
    }
  }
  if (i >= argc) { errno = EINVAL; fail("no program", NULL); }
  execvp(argv[i], argv + i);
  fail("exec", argv[i]);
  return 127;
}

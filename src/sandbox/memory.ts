// Container memory for a program with a memory limit: the limit plus room
// for the runtime, tmpfs and agent, rounded up to a few sizes (floor·2^k) so
// that problems with nearby limits share one warm pool (the pool key holds
// the memory size). The program's own limit is enforced inside (rlimits,
// -Xmx); the container only bounds everything together.

/** room beside the program: its runtime or compiler, the tmpfs, the agent */
const HEADROOM_MB = 512;

/** The smallest floorMb·2^k that holds limitMb plus the headroom (no limit: floorMb). */
export function containerMemoryMb(limitMb: number | null, floorMb = 1024): number {
  const need = (limitMb ?? 0) + HEADROOM_MB;
  let mb = floorMb;
  while (mb < need) mb *= 2;
  return mb;
}

// The container spec: the hardened create options of a sandbox container, its uids, capabilities and labels.
import type Docker from 'dockerode';
import type { ContainerProfile } from './types.js';

/** uid (and gid) of code under test: the images' "sandbox" user */
export const SANDBOX_UID = 10001;
/** uid of trusted judge steps (harnesses, checkers, interactors); no passwd entry needed */
export const JUDGE_UID = 10002;
/**
 * What the agent (uid 0, PID 1) may do beyond an unprivileged user: start
 * processes as the judge or candidate uid (SETUID, SETGID), kill and wipe
 * what they leave (KILL, DAC_OVERRIDE, FOWNER), hand files to them (CHOWN).
 * Nothing else: no SYS_RESOURCE (a lowered limit cannot be raised back, so a
 * changed limit retires the container), no SYS_ADMIN, no SYS_PTRACE.
 */
export const AGENT_CAPS = ['CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'KILL', 'SETGID', 'SETUID'];
export const MANAGED_LABEL = 'verdict.managed';
export const INSTANCE_LABEL = 'verdict.instance';

/** The create options of a container of `profile` for service instance `instance`, with the agent as PID 1. */
export function containerSpec(profile: ContainerProfile, instance: string): Docker.ContainerCreateOptions {
  return {
    Image: profile.image,
    Cmd: ['python3', '-I', '/opt/verdict/agent.py'],
    User: '0:0',
    WorkingDir: '/work',
    Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'HOME=/tmp', 'LANG=C.UTF-8'],
    OpenStdin: true,
    StdinOnce: false,
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
    NetworkDisabled: true,
    Labels: { [MANAGED_LABEL]: 'true', [INSTANCE_LABEL]: instance },
    HostConfig: {
      NetworkMode: 'none',
      CapDrop: ['ALL'],
      CapAdd: AGENT_CAPS,
      SecurityOpt: ['no-new-privileges'],
      ReadonlyRootfs: true,
      // root's and sticky: judge and candidate each create files there, and
      // neither may remove or rename the other's
      Tmpfs: {
        '/work': `rw,exec,nosuid,nodev,size=${profile.workBytes},uid=0,gid=0,mode=1777`,
        '/tmp': `rw,exec,nosuid,nodev,size=${profile.tmpBytes},uid=0,gid=0,mode=1777`,
      },
      ...(profile.volumes?.length
        ? { Mounts: profile.volumes.map((v) => ({ Type: 'volume' as const, Source: v.name, Target: v.target, ReadOnly: true })) }
        : {}),
      ShmSize: Math.min(profile.tmpBytes, 64 << 20),
      Memory: profile.memoryBytes,
      MemorySwap: profile.memoryBytes,
      // gVisor's own threads and ptrace stubs live in the container's
      // cgroup too: the guest limit alone would starve the sandbox kernel.
      PidsLimit: profile.runtime === 'runsc' ? Math.max(1024, profile.pidsLimit * 8) : profile.pidsLimit,
      NanoCpus: Math.round(profile.cpus * 1e9),
      IpcMode: 'private',
      Runtime: profile.runtime,
      Ulimits: [{ Name: 'nofile', Soft: 1024, Hard: 1024 }],
      Init: false,
      AutoRemove: false,
      // The attach stream carries every frame (tests in, outputs back): the
      // default json-file driver would copy it all, line by line, to the
      // host's disk, and a flood of short lines stalls the agent for seconds.
      LogConfig: { Type: 'none', Config: {} },
    },
  };
}

import Docker from 'dockerode';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** Whether this machine can run a second Docker engine of a test's own (root and dockerd). */
export const canSecondDockerd = process.getuid?.() === 0 && fs.existsSync('/usr/sbin/dockerd');

/**
 * A second dockerd with its own socket, data root, exec root and bridge. The
 * bridge matters: dockerd with --bridge=none deletes the host's docker0, which
 * the main engine's image builds need.
 */
export class SecondDockerd {
  readonly root: string;
  readonly socket: string;
  readonly docker: Docker;
  private daemon: ChildProcess | undefined;
  private readonly bridge: string;
  private readonly subnet: number;

  /** `tag`: a few letters naming the test; `subnet`: third octet of 10.213.X.0/24, unique per test file; `args`: more dockerd flags */
  constructor(tag: string, subnet: number, private readonly args: string[] = []) {
    this.root = fs.mkdtempSync(path.join('/tmp', `verdict-dockerd-${tag}-`));
    this.socket = path.join(this.root, 'docker.sock');
    this.docker = new Docker({ socketPath: this.socket });
    this.bridge = `v${tag}${process.pid % 100000}`.slice(0, 15);
    this.subnet = subnet;
  }

  get endpoint(): string {
    return `unix://${this.socket}`;
  }

  async start(): Promise<Docker> {
    fs.writeFileSync(path.join(this.root, 'daemon.json'), '{}');
    try {
      execFileSync('ip', ['link', 'add', 'name', this.bridge, 'type', 'bridge'], { stdio: 'ignore' });
      execFileSync('ip', ['addr', 'add', `10.213.${this.subnet}.1/24`, 'dev', this.bridge], { stdio: 'ignore' });
    } catch {
      /* left from an earlier start of this run */
    }
    const log = fs.openSync(path.join(this.root, 'dockerd.log'), 'a');
    this.daemon = spawn(
      '/usr/sbin/dockerd',
      [
        `--host=${this.endpoint}`,
        `--data-root=${path.join(this.root, 'data')}`,
        `--exec-root=${path.join(this.root, 'exec')}`,
        `--pidfile=${path.join(this.root, 'docker.pid')}`,
        `--config-file=${path.join(this.root, 'daemon.json')}`,
        `--bridge=${this.bridge}`,
        '--iptables=false',
        '--ip6tables=false',
        '--ip-masq=false',
        '--userland-proxy=false',
        ...this.args,
      ],
      { stdio: ['ignore', log, log] },
    );
    for (let i = 0; i < 120; i++) {
      if (await this.docker.ping().then(() => true, () => false)) return this.docker;
      await sleep(500);
    }
    throw new Error(`second dockerd did not start: ${fs.readFileSync(path.join(this.root, 'dockerd.log'), 'utf8').slice(-2000)}`);
  }

  async stop(): Promise<void> {
    const d = this.daemon;
    if (!d || d.exitCode !== null) return;
    const exited = new Promise((r) => d.once('exit', r));
    d.kill('SIGTERM');
    await Promise.race([exited, sleep(30_000)]);
    if (d.exitCode === null) {
      d.kill('SIGKILL');
      await exited;
    }
  }

  /** Copy an image of the main engine into this one (docker save | load). */
  async loadFromHost(ref: string): Promise<void> {
    const tar = path.join(this.root, 'image.tar');
    execFileSync('docker', ['save', '-o', tar, ref]);
    const stream = await this.docker.loadImage(tar);
    await new Promise((resolve, reject) => this.docker.modem.followProgress(stream, (e) => (e ? reject(e) : resolve(null))));
    fs.rmSync(tar);
  }

  /** Stop it and remove everything it made. */
  async destroy(): Promise<void> {
    await this.stop();
    // whatever the engine left mounted under its root (exec root, shm of containers it never cleaned up)
    const mounts = fs
      .readFileSync('/proc/self/mounts', 'utf8')
      .split('\n')
      .map((l) => l.split(' ')[1] ?? '')
      .filter((m) => m.startsWith(this.root + '/'))
      .sort((a, b) => b.length - a.length);
    for (const m of mounts) {
      try {
        execFileSync('umount', ['-l', m], { stdio: 'ignore' });
      } catch {
        /* gone already */
      }
    }
    fs.rmSync(this.root, { recursive: true, force: true });
    try {
      execFileSync('ip', ['link', 'del', this.bridge], { stdio: 'ignore' });
    } catch {
      /* already gone */
    }
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

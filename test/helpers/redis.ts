import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const REDIS_SERVER = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((p) => fs.existsSync(p));
if (!REDIS_SERVER) console.warn('[skip] scale-out tests: no redis-server (apt-get install redis-server; scripts/prepare.sh does)');

/** A throwaway redis-server (Debian's package) on a free port, no persistence. */
export class TestRedis {
  private proc: ChildProcess | undefined;
  port = 0;
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'verdict-redis-'));

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<string> {
    this.port = await freePort();
    const log = fs.openSync(path.join(this.dir, 'redis.log'), 'a');
    this.proc = spawn(REDIS_SERVER!, ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir], { stdio: ['ignore', log, log] });
    for (let i = 0; i < 100; i++) {
      if (await canConnect(this.port)) return this.url;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`redis-server did not start: ${fs.readFileSync(path.join(this.dir, 'redis.log'), 'utf8').slice(-1000)}`);
  }

  async stop(): Promise<void> {
    const p = this.proc;
    if (p && p.exitCode === null) {
      const exited = new Promise((r) => p.once('exit', r));
      p.kill('SIGKILL');
      await exited;
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = net.connect(port, '127.0.0.1');
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
}

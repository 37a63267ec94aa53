import client from 'prom-client';

/** What the sandboxes (or the queue in front of them) report: grades waiting, grades running, each warm pool's counts. */
export interface Gauges {
  queue: () => number;
  running: () => number;
  pools: () => Array<Record<string, string | number>>;
}

/** Prometheus metrics of one service instance (own registry, so tests can build several). */
export class Metrics {
  readonly registry = new client.Registry();
  readonly requests: client.Counter<'route' | 'method' | 'status'>;
  readonly verdicts: client.Counter<'benchmark' | 'status' | 'reason'>;
  readonly phase: client.Histogram<'phase' | 'benchmark'>;
  readonly retries: client.Counter<'kind'>;
  readonly admissionWait: client.Histogram<'lane'>;

  constructor(gauges: Gauges) {
    const registers = [this.registry];
    client.collectDefaultMetrics({ register: this.registry, prefix: 'verdict_process_' });
    this.requests = new client.Counter({
      name: 'verdict_http_requests_total',
      help: 'HTTP requests by route and status code',
      labelNames: ['route', 'method', 'status'],
      registers,
    });
    this.verdicts = new client.Counter({
      name: 'verdict_verdicts_total',
      help: 'Verdicts by benchmark, status and reason',
      labelNames: ['benchmark', 'status', 'reason'],
      registers,
    });
    this.phase = new client.Histogram({
      name: 'verdict_phase_seconds',
      help: 'Latency per grading phase: queue (waiting for a slot and a container), sandbox, total',
      labelNames: ['phase', 'benchmark'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers,
    });
    this.admissionWait = new client.Histogram({
      name: 'verdict_admission_wait_seconds',
      help: 'Time a unit waited in the admission queue before it ran (lane grade: a grade; run_code: a /run_code program), cancelled and timed-out waits included',
      labelNames: ['lane'],
      buckets: [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120],
      registers,
    });
    this.retries = new client.Counter({
      name: 'verdict_sandbox_retries_total',
      help: 'Sandbox runs retried after an infrastructure failure, by kind',
      labelNames: ['kind'],
      registers,
    });
    new client.Gauge({
      name: 'verdict_queue_depth',
      help: 'Grades waiting for a sandbox slot',
      registers,
      collect() {
        this.set(gauges.queue());
      },
    });
    new client.Gauge({
      name: 'verdict_running',
      help: 'Grades running in sandboxes',
      registers,
      collect() {
        this.set(gauges.running());
      },
    });
    new client.Gauge({
      name: 'verdict_pool_containers',
      help: 'Warm-pool containers by image, runtime and state',
      labelNames: ['image', 'runtime', 'state'],
      registers,
      collect() {
        this.reset();
        for (const p of gauges.pools()) {
          for (const state of ['idle', 'busy', 'starting', 'cleaning', 'waiting']) {
            this.set({ image: String(p.image), runtime: String(p.runtime), state }, Number(p[state] ?? 0));
          }
        }
      },
    });
  }
}

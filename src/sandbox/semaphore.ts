/** FIFO counting semaphore. */
export class Semaphore {
  private queue: Array<() => void> = [];
  active = 0;

  constructor(private readonly limit: number) {}

  get waiting(): number {
    return this.queue.length;
  }

  acquire(): Promise<() => void> {
    return new Promise((resolve) => {
      const grant = () => {
        this.active += 1;
        let released = false;
        resolve(() => {
          if (released) return;
          released = true;
          this.active -= 1;
          this.queue.shift()?.();
        });
      };
      if (this.active < this.limit) grant();
      else this.queue.push(grant);
    });
  }
}

/** A failure of ours (Docker, the container, the agent), never of the graded program. */
export class SandboxError extends Error {
  constructor(
    message: string,
    readonly kind:
      | 'daemon_unreachable'
      | 'image_missing'
      | 'image_building'
      | 'container_lost'
      | 'agent_protocol'
      | 'start_failed'
      | 'cleanup_failed'
      | 'closed',
    readonly retryable = true,
  ) {
    super(message);
    this.name = 'SandboxError';
  }
}

export function isSandboxError(e: unknown): e is SandboxError {
  return e instanceof SandboxError;
}

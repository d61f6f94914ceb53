/**
 * Ctrl-C during a training command: the first one sets `requested`, so the loop finishes its step,
 * saves and stops; a second one leaves at once with exit code 130. `release()` removes the handler.
 */
export class InterruptWatch {
  requested = false;
  private readonly handler = (): void => {
    if (this.requested) process.exit(130);
    this.requested = true;
  };

  constructor() {
    process.on('SIGINT', this.handler);
  }

  release(): void {
    process.off('SIGINT', this.handler);
  }
}

/**
 * A one-line progress bar for long work: done/total, rate, ETA and caller-supplied fields
 * (loss, accuracy…). Redraws at most every `intervalMs` on a TTY; elsewhere (CI, pipes) prints a
 * plain line at most every `logEveryMs` so logs stay short.
 */
export interface ProgressOptions {
  /** what is counted, shown after the rate: 'samples', 'lines', 'tokens'… */
  unit?: string;
  label?: string;
  stream?: NodeJS.WriteStream;
  intervalMs?: number;
  logEveryMs?: number;
  /** disable all output (library use, tests) */
  silent?: boolean;
}

export class ProgressBar {
  private done = 0;
  private readonly start = Date.now();
  private lastDraw = 0;
  private fields: Record<string, string> = {};
  private readonly opts: Required<Omit<ProgressOptions, 'stream'>> & { stream: NodeJS.WriteStream };

  constructor(private readonly total: number, options: ProgressOptions = {}) {
    this.opts = {
      unit: options.unit ?? 'it',
      label: options.label ?? '',
      stream: options.stream ?? process.stderr,
      intervalMs: options.intervalMs ?? 100,
      logEveryMs: options.logEveryMs ?? 10_000,
      silent: options.silent ?? false,
    };
  }

  /** Advances by `n` and sets display fields, e.g. { loss: '0.123' }. */
  tick(n = 1, fields?: Record<string, string | number>): void {
    this.done += n;
    if (fields) for (const [k, v] of Object.entries(fields)) this.fields[k] = typeof v === 'number' ? formatNumber(v) : v;
    const now = Date.now();
    const tty = this.opts.stream.isTTY === true;
    // On a TTY the bar redraws when full; in logs the final line is finish()'s, printed once.
    if (now - this.lastDraw >= (tty ? this.opts.intervalMs : this.opts.logEveryMs) || (tty && this.done >= this.total)) {
      this.lastDraw = now;
      this.draw(false);
    }
  }

  /** Final line with total time; always printed (unless silent). */
  finish(fields?: Record<string, string | number>): void {
    if (fields) for (const [k, v] of Object.entries(fields)) this.fields[k] = typeof v === 'number' ? formatNumber(v) : v;
    this.draw(true);
  }

  get elapsedSeconds(): number {
    return (Date.now() - this.start) / 1000;
  }

  private draw(final: boolean): void {
    if (this.opts.silent) return;
    const elapsed = Math.max(1e-3, (Date.now() - this.start) / 1000);
    const rate = this.done / elapsed;
    const frac = this.total > 0 ? Math.min(1, this.done / this.total) : 1;
    const width = 24;
    const filled = Math.round(frac * width);
    const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
    const eta = rate > 0 && this.total > this.done ? (this.total - this.done) / rate : 0;
    const extra = Object.entries(this.fields).map(([k, v]) => `${k} ${v}`).join('  ');
    const timing = final ? `in ${formatDuration(elapsed)}` : `ETA ${formatDuration(eta)}`;
    const line = `${this.opts.label ? this.opts.label + ' ' : ''}${bar} ${this.done}/${this.total}  ${formatNumber(rate)} ${this.opts.unit}/s  ${timing}${extra ? '  ' + extra : ''}`;
    if (this.opts.stream.isTTY === true) {
      this.opts.stream.write(`\r\x1b[2K${line}${final ? '\n' : ''}`);
    } else {
      this.opts.stream.write(line + '\n');
    }
  }
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h > 0) return `${h}h${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m${String(sec).padStart(2, '0')}s`;
  return seconds < 10 ? `${seconds.toFixed(1)}s` : `${sec}s`;
}

function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 1000) return Math.round(v).toLocaleString('en-US');
  if (a >= 10) return v.toFixed(1);
  return v.toPrecision(3);
}

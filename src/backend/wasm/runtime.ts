/**
 * The wasm runtime: one shared `WebAssembly.Memory`, the kernel instance of the main thread, a pool
 * of worker threads running the same module on the same memory, and the job dispatch.
 *
 * Memory layout (bytes):
 *   [0, heapBase)           the module's static data
 *   CTRL (256 B)            pool control words: GEN (job generation), THREADS (see setNumThreads)
 *   JOB (512 B)             the job descriptor (see src/kernels/work.ts)
 *   resident heap           long-lived float32 arrays (parameters), see residentF32
 *   workspaces              `slots` private workspaces of `wsStride` bytes (sized per call)
 *   data                    the call's inputs and outputs, bump-allocated per call
 * Memory policy: copy-in / copy-out for everything a call computes with, except resident arrays.
 * Every call copies its typed arrays in, runs, copies the result out; nothing of a call stays in
 * wasm memory, so the garbage collector owns every activation. The memory grows to the largest
 * call's need and is then reused (wasm memory cannot shrink), so a long training loop stays flat.
 * Parameters are the exception (they are read by every call and change only in place): on shared
 * memory they can live in the resident heap as ordinary Float32Array views, which kernels read where
 * they are instead of copying them in (a 1.3 MB LSTM copied per sampled token, 0.5 GB of VGG-16 per
 * image). Views of shared memory survive `grow`; a FinalizationRegistry returns a resident block
 * to the heap's free list once its array is garbage-collected.
 *
 * Threads: the main thread writes a job, bumps GEN and notifies; every thread (main included, tid 0)
 * claims tasks with an atomic counter until none are left; the main thread then waits with
 * Atomics.wait until every claimed task is done. Workers that have not started yet simply do not take
 * part, so dispatch never waits for a worker to boot (ready() does, for those who want to know).
 * The platform (platform.ts) starts workers: worker_threads in Node (unref'd: they never keep the
 * process alive), Web Workers from a Blob URL in a browser when the page is cross-origin isolated
 * (SharedArrayBuffer), else one thread on unshared memory (module.ts); a browser page's main
 * thread spins instead of blocking while it waits.
 */
import { loadKernelModule, type KernelModule } from './module.js';
import { platform } from '#nerva/platform';
import type { PoolWorker } from './platform.js';
import { MAX_PAGES } from './kernels_data.js';
import { NervaError } from '../../errors.js';

interface Exports {
  heapBase(): number;
  gemmWorkspaceBytes(): number;
  work(job: number, tid: number): void;
  lstmWorkspaceBytes(B: number, H: number, slices: number): number;
  sgemm(m: number, n: number, k: number, a: number, rsA: number, csA: number, b: number, rsB: number, csB: number,
    c: number, ldc: number, accumulate: number, ws: number): void;
  softmaxCrossEntropy_f32(x: number, target: number, loss: number, probs: number, rows: number, classes: number): void;
  softmaxCrossEntropyBackward_f32(probs: number, target: number, gLoss: number, gx: number, rows: number, classes: number): void;
  sumLeading_f32(x: number, out: number, rows: number, cols: number, acc: number): void;
  addRows_f32(x: number, b: number, out: number, rows: number, cols: number): void;
  channelOp_f32(x: number, b: number, out: number, outer: number, C: number, inner: number, mul: number): void;
  /** dst += src (n floats) */
  addInto(dst: number, src: number, n: number): void;
  rotateTransposeWeights(src: number, dst: number, o: number, c: number, kArea: number): void;
  relu_f32(x: number, out: number, n: number): void;
  unaryMath_f32(x: number, out: number, n: number, op: number): void;
  reluBackward_f32(x: number, gy: number, gx: number, n: number): void;
  adam_f32(theta: number, grad: number, m: number, v: number, n: number, beta1: number, beta2: number,
    stepSize: number, bc2Sqrt: number, eps: number, l2: number, sign: number, decay: number): void;
  sgd_f32(theta: number, grad: number, buf: number, n: number, lr: number, momentum: number, dampening: number,
    wd: number, sign: number, nesterov: number, first: number): void;
}

/** Mirrors src/kernels/work.ts. */
export const Kind = {
  GEMM: 1, CONV_FWD: 2, CONV_BWD_IN: 3, CONV_BWD_W: 4, REDUCE: 5,
  MAXPOOL: 6, MAXPOOL_BWD: 7, AVGPOOL: 8, AVGPOOL_BWD: 9, LSTM_FWD: 10, LSTM_BWD: 11, BN_FWD: 12, BN_BWD: 13, GRU_FWD: 14, GRU_BWD: 15,
  CONV_DIRECT: 16, WINO_WEIGHTS: 17, WINO: 18, CONV_BWD_W_DIRECT: 19, RNN_PACK: 20,
} as const;
const J_KIND = 0, J_NTASKS = 1, J_NEXT = 2, J_DONE = 3, J_WSBASE = 4, J_WSSTRIDE = 5, J_ACTIVE = 6, J_ARG = 8;
const JOB_WORDS = 128;
/** Control words (Int32 index from CTRL): GEN (job generation), THREADS (workers with tid ≥ it
 * take no tasks), BOOTED (bit t set by worker t once it runs). Mirrored in pool_worker.ts. */
const C_GEN = 0, C_THREADS = 1, C_BOOTED = 2;
/** Words C_TASKS + t count the tasks thread t has run (written by work() in src/kernels/work.ts,
 * which finds the control words 256 bytes below the job descriptor). */
const C_TASKS = 8;
const MAX_THREADS = 32;
const CLOSED = 1 << 30;
const PAGE = 65536;
/** The resident heap stays below this, so that calls keep at least half of the 2 GiB memory. */
const RESIDENT_LIMIT = 1 << 30;

export const align = (n: number, a = 64): number => Math.ceil(n / a) * a;

/** How long ready() waits for a worker to boot before it warns and goes on without it. */
const BOOT_TIMEOUT_MS = 15000;

function defaultThreads(): number {
  const env = platform.env('NERVA_NUM_THREADS');
  if (env !== undefined && env !== '') {
    const n = Number(env);
    if (Number.isInteger(n) && n >= 1) return Math.min(n, MAX_THREADS);
  }
  return platform.noThreadsReason() === undefined ? Math.max(1, Math.min(platform.cores(), MAX_THREADS)) : 1;
}

/** One warning per distinct message (a pool problem is said once, not per call). */
const warned = new Set<string>();
function warnOnce(message: string): void {
  if (warned.has(message)) return;
  warned.add(message);
  console.warn(message);
}

export class WasmRuntime {
  readonly kernels: KernelModule;
  readonly memory: WebAssembly.Memory;
  readonly ex: Exports;
  readonly ctrl: number;
  readonly job: number;
  readonly gemmWsBytes: number;
  /** The resident heap, [heapStart, heapTop); blocks are 64-byte aligned. */
  private readonly heapStart: number;
  private heapTop: number;
  /** free blocks inside the heap, sorted by offset, never adjacent to each other or to heapTop */
  private readonly freeBlocks: { off: number; bytes: number }[] = [];
  private readonly blockBytes = new Map<number, number>();
  /** every buffer object this memory has had (one per grow); a typed array on one of them is resident */
  private readonly ownBuffers = new WeakSet<ArrayBufferLike>();
  private readonly residentRegistry = new FinalizationRegistry<number>((off) => this.freeResident(off));
  private threads: number;
  private workers: (PoolWorker | undefined)[] = [];
  /** workers that failed to load or died: their tid is never started again */
  private readonly failed = new Set<number>();
  /** the most threads the setting may ask for: lowered to what worked once a worker failed */
  private maxThreads = MAX_THREADS;
  private ctrlView!: Int32Array;
  private jobView!: Int32Array;
  f32!: Float32Array;
  i32!: Int32Array;

  constructor() {
    this.kernels = loadKernelModule();
    this.memory = new WebAssembly.Memory({ initial: 64, maximum: MAX_PAGES, shared: this.kernels.shared });
    const inst = new WebAssembly.Instance(this.kernels.module, { env: { memory: this.memory } });
    this.ex = inst.exports as unknown as Exports;
    this.ctrl = align(this.ex.heapBase());
    this.job = this.ctrl + 64 * 4;
    this.heapStart = this.heapTop = align(this.job + JOB_WORDS * 4);
    this.gemmWsBytes = this.ex.gemmWorkspaceBytes();
    this.refreshViews();
    this.threads = this.canThread ? defaultThreads() : 1;
    Atomics.store(this.ctrlView, C_THREADS, this.threads);
  }

  /** Where each call's workspaces start: right after the resident heap (moves as the heap grows,
   * between calls only), or past `wsFloor` while a fused call keeps data of its first half there. */
  get wsBase(): number {
    return Math.max(this.heapTop, this.wsFloor);
  }

  /** Set (and cleared) by a call made of two halves (kernels.ts conv2dBackward): the first half's
   * data below it stays intact while the second half runs. */
  wsFloor = 0;

  private refreshViews(): void {
    const buf = this.memory.buffer;
    this.ownBuffers.add(buf);
    this.f32 = new Float32Array(buf);
    this.i32 = new Int32Array(buf);
    this.ctrlView = new Int32Array(buf, this.ctrl, 64);
    this.jobView = new Int32Array(buf, this.job, JOB_WORDS);
  }

  /** Why this runtime runs on one thread only, or undefined when it can have more. */
  get noThreadsReason(): string | undefined {
    return platform.noThreadsReason() ?? (this.kernels.shared ? undefined : 'the kernels run on unshared memory (NERVA_WASM_SHARED=0)');
  }

  private get canThread(): boolean {
    return this.noThreadsReason === undefined;
  }

  /** The thread count the kernels split their work for (see setNumThreads). Results depend on it,
   * never on which workers have booted: a task a worker has not claimed, the main thread runs. */
  getNumThreads(): number {
    return this.threads;
  }

  /** Threads computing now: the main thread and the workers below the setting that have booted. */
  workingThreads(): number {
    const booted = Atomics.load(this.ctrlView, C_BOOTED);
    let n = 1;
    for (let t = 1; t < this.threads; t++) if ((booted & (1 << t)) !== 0) n++;
    return n;
  }

  /** Tasks each thread has run since the runtime started (index 0: the main thread). */
  tasksRun(): number[] {
    const n = Math.max(1, this.workers.length);
    return Array.from({ length: n }, (_, t) => Atomics.load(this.ctrlView, C_TASKS + t));
  }

  /** Threads used by later calls (1 = main thread only). New workers start lazily; workers above
   * the count stay parked (asleep in Atomics.wait, taking no tasks) instead of stopping, so that
   * going back up costs nothing: restarting one costs tens of milliseconds on the next calls
   * (it boots while the main thread runs its share alone). Where threads cannot run (a page that
   * is not cross-origin isolated) a request for more than one says why, once, and keeps one. */
  setNumThreads(n: number): void {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`setNumThreads: expected an integer ≥ 1, got ${n}`);
    const reason = this.noThreadsReason;
    if (reason !== undefined && n > 1) warnOnce(`nerva: setNumThreads(${n}): running on 1 thread, because ${reason}`);
    this.threads = reason === undefined ? Math.min(n, this.maxThreads) : 1;
    Atomics.store(this.ctrlView, C_THREADS, this.threads);
  }

  /** Workspace slots every layout must reserve: a parked worker that woke for an earlier job may
   * still enter the next one, so slots never shrink below the highest worker ever started. */
  get slots(): number {
    return Math.max(this.threads, this.workers.length);
  }

  /** Starts the workers the setting asks for that are not running yet (the pool starts on first
   * use, never at import). A worker that fails says so once, naming where its code came from,
   * and the setting drops to the threads that work. */
  private ensureWorkers(): void {
    if (!this.canThread) return;
    for (let t = 1; t < this.threads; t++) {
      if (this.workers[t] !== undefined) continue;
      const data = { module: this.kernels.module, memory: this.memory, tid: t, ctrl: this.ctrl, job: this.job };
      try {
        this.workers[t] = platform.startWorker(data, (reason) => this.workerFailed(t, reason));
      } catch (e) {
        this.workers[t] = { terminate() {} };
        this.workerFailed(t, (e as Error).message);
      }
    }
  }

  private workerFailed(t: number, reason: string): void {
    if (this.failed.has(t)) return;
    this.failed.add(t);
    Atomics.and(this.ctrlView, C_BOOTED, ~(1 << t));
    // NOTE: tasks are split by the setting, so lowering it changes which bits later calls give
    // (to those of the smaller count); keeping it would claim threads that do not exist.
    this.threads = this.maxThreads = Math.max(1, Math.min(this.threads, this.workingThreads()));
    Atomics.store(this.ctrlView, C_THREADS, this.threads);
    warnOnce(`nerva: thread pool worker ${t} failed to start from ${platform.workerOrigin()}: ${reason}; ` +
      `the wasm kernels go on with ${this.threads} thread${this.threads === 1 ? '' : 's'}`);
  }

  /** Starts the pool for the current setting and resolves, with the threads computing, once every
   * worker has booted or failed. A browser boots workers only while its thread is idle, so a page
   * awaits this before a synchronous training loop; Node workers boot on their own. */
  async ready(): Promise<number> {
    this.ensureWorkers();
    const deadline = Date.now() + BOOT_TIMEOUT_MS;
    for (;;) {
      const booted = Atomics.load(this.ctrlView, C_BOOTED);
      let waiting = 0;
      for (let t = 1; t < this.threads; t++) if ((booted & (1 << t)) === 0 && !this.failed.has(t)) waiting++;
      if (waiting === 0) break;
      if (Date.now() > deadline) {
        warnOnce(`nerva: ${waiting} thread pool worker(s) from ${platform.workerOrigin()} did not start within ${BOOT_TIMEOUT_MS / 1000} s; ` +
          'the main thread runs the tasks they would have taken');
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    return this.workingThreads();
  }

  /** Whether the memory can grow to `bytes` (WebAssembly.Memory is capped at MAX_PAGES). Kernels
   * with a reference fallback check this before copying in, instead of failing in ensureBytes. */
  canHold(bytes: number): boolean {
    return bytes <= this.byteLimit;
  }

  /** What canHold allows: the memory's cap, or less (tests lower it to reach the fallbacks). */
  byteLimit = MAX_PAGES * PAGE;

  /** Makes the memory at least `bytes` long. Call only between jobs. */
  ensureBytes(bytes: number): void {
    const have = this.memory.buffer.byteLength;
    if (bytes <= have) return;
    const pages = Math.ceil((bytes - have) / PAGE);
    if (have / PAGE + pages > MAX_PAGES) {
      throw new RangeError(`wasm backend: a call needs ${(bytes / 2 ** 20).toFixed(0)} MiB of WebAssembly memory; the limit is ${MAX_PAGES * PAGE / 2 ** 20} MiB`);
    }
    this.memory.grow(pages);
    this.refreshViews();
  }

  /**
   * A float32 array of `length` elements (contents unspecified: the caller fills it) living in the
   * resident heap, or null when resident arrays cannot be had here (unshared memory, heap limit). Kernels read it in
   * place (residentOffset). Its block is reused once the array is garbage-collected, so never keep a
   * subarray of it longer than the array itself.
   */
  residentF32(length: number): Float32Array | null {
    if (!this.kernels.shared || !Number.isInteger(length) || length <= 0) return null;
    const bytes = align(length * 4);
    let off = -1;
    for (let i = 0; i < this.freeBlocks.length; i++) {
      const b = this.freeBlocks[i]!;
      if (b.bytes < bytes) continue;
      off = b.off;
      if (b.bytes === bytes) this.freeBlocks.splice(i, 1);
      else { b.off += bytes; b.bytes -= bytes; }
      break;
    }
    if (off < 0) {
      const top = this.heapTop + bytes;
      if (top - this.heapStart > RESIDENT_LIMIT || !this.canHold(top)) return null;
      this.ensureBytes(top);
      off = this.heapTop;
      this.heapTop = top;
    }
    this.blockBytes.set(off, bytes);
    const array = new Float32Array(this.f32.buffer, off, length);
    this.residentRegistry.register(array, off);
    return array;
  }

  /** The byte offset of `a` in this memory when it is a view of it (a resident array or a part of
   * one), else −1. */
  residentOffset(a: Float32Array | Int32Array): number {
    return this.ownBuffers.has(a.buffer) ? a.byteOffset : -1;
  }

  /** Bytes held by resident arrays (live ones and free blocks below the top), for tests and figures. */
  residentBytes(): { live: number; heap: number } {
    let live = 0;
    for (const b of this.blockBytes.values()) live += b;
    return { live, heap: this.heapTop - this.heapStart };
  }

  private freeResident(off: number): void {
    const bytes = this.blockBytes.get(off);
    if (bytes === undefined) return;
    this.blockBytes.delete(off);
    const blocks = this.freeBlocks;
    let i = 0;
    while (i < blocks.length && blocks[i]!.off < off) i++;
    blocks.splice(i, 0, { off, bytes });
    // coalesce with the next, then the previous neighbour
    const next = blocks[i + 1];
    if (next !== undefined && off + bytes === next.off) { blocks[i]!.bytes += next.bytes; blocks.splice(i + 1, 1); }
    const prev = blocks[i - 1];
    if (prev !== undefined && prev.off + prev.bytes === off) { prev.bytes += blocks[i]!.bytes; blocks.splice(i, 1); i--; }
    // a free block at the top gives its space back to the calls
    const last = blocks[blocks.length - 1];
    if (last !== undefined && last.off + last.bytes === this.heapTop) { this.heapTop = last.off; blocks.pop(); }
  }

  /** Runs a job of `ntasks` tasks on up to `threads` threads and returns when all are done.
   * `args` fill the descriptor's argument words; `wsStride` is each thread's workspace size.
   * `meanwhile` (copies between JS arrays and memory the job neither reads nor writes) runs on the
   * main thread after the workers are woken and before it takes tasks itself: the workers compute
   * while it copies. Without workers it simply runs first. */
  run(kind: number, ntasks: number, args: readonly number[], wsStride: number, parallel: boolean, meanwhile?: () => void): void {
    if (ntasks <= 0) {
      meanwhile?.();
      return;
    }
    const J = this.jobView;
    Atomics.store(J, J_NEXT, CLOSED);
    // A worker may still be leaving the previous job (it claimed past the end and is about to
    // read ntasks): rewrite the descriptor only once no thread is inside work().
    while (Atomics.load(J, J_ACTIVE) !== 0) { /* a few polls at most */ }
    J[J_KIND] = kind;
    J[J_NTASKS] = ntasks;
    J[J_WSBASE] = this.wsBase;
    J[J_WSSTRIDE] = wsStride;
    for (let i = 0; i < args.length; i++) J[J_ARG + i] = args[i] | 0;
    Atomics.store(J, J_DONE, 0);
    Atomics.store(J, J_NEXT, 0);
    if (parallel && ntasks > 1 && this.threads > 1) {
      this.ensureWorkers();
      Atomics.add(this.ctrlView, C_GEN, 1);
      Atomics.notify(this.ctrlView, C_GEN);
    }
    meanwhile?.();
    this.ex.work(this.job, 0);
    // Wait for tasks other threads claimed: spin briefly (they are usually nearly done), then sleep.
    let spins = 0;
    for (;;) {
      const d = Atomics.load(J, J_DONE);
      if (d >= ntasks) break;
      if (++spins < 2000 || !platform.mayBlock) continue;
      Atomics.wait(J, J_DONE, d, 10);
    }
  }
}

let runtime: WasmRuntime | undefined;

/** The process-wide runtime, created on first use. Throws a NervaError when this engine cannot run
 * the kernels (no WebAssembly SIMD). */
export function getRuntime(): WasmRuntime {
  if (runtime === undefined) {
    try {
      runtime = new WasmRuntime();
    } catch (e) {
      throw new NervaError(`wasm backend: cannot start the WebAssembly SIMD kernels here (${(e as Error).message}); use setBackend('ref')`);
    }
  }
  return runtime;
}

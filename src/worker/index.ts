/**
 * Training in a Web Worker, so the page stays responsive (a kernel call blocks its thread: the
 * page's main thread would freeze while a step runs). In the worker script:
 *
 *   import * as nv from 'nerva';
 *   nv.worker.expose({ async train({ steps }, progress) { …; progress({ step, loss }); return losses; } });
 *
 * and in the page:
 *
 *   const w = nv.worker.connect(new Worker(new URL('./train.worker.js', import.meta.url), { type: 'module' }));
 *   const losses = await w.call('train', { steps: 20 }, (p) => console.log(p));
 *
 * Arguments, progress values and results travel by structured clone (numbers, arrays, typed arrays,
 * plain objects: not Tensors). A handler's exception rejects the page's call with its message.
 */
import { NervaError } from '../errors.js';

/** A function the worker offers: its argument, and a callback that sends progress to the page. */
// `any` on purpose: each handler declares its own argument type.
export type Handler = (args: any, progress: (value: unknown) => void) => unknown;

/** What expose and connect talk through: a Worker, the worker's own global scope, a MessagePort. */
export interface MessageTarget {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (e: MessageEvent) => void): void;
}

type Message =
  | { nerva: 'call'; id: number; name: string; args: unknown }
  | { nerva: 'progress' | 'result'; id: number; value: unknown }
  | { nerva: 'error'; id: number; message: string };

/** In the worker: answers the page's calls with these functions. */
export function expose(handlers: Record<string, Handler>, scope: MessageTarget = globalThis as unknown as MessageTarget): void {
  scope.addEventListener('message', (e) => {
    const m = e.data as Message;
    if (m?.nerva !== 'call') return;
    const { id, name } = m;
    const send = (msg: Message): void => scope.postMessage(msg);
    void (async () => {
      try {
        const handler = handlers[name];
        if (handler === undefined) throw new NervaError(`worker: no function '${name}' is exposed (exposed: ${Object.keys(handlers).join(', ') || 'none'})`);
        const value = await handler(m.args, (p) => send({ nerva: 'progress', id, value: p }));
        send({ nerva: 'result', id, value });
      } catch (err) {
        send({ nerva: 'error', id, message: err instanceof Error ? err.message : String(err) });
      }
    })();
  });
}

export interface WorkerConnection {
  /** Calls an exposed function; `onProgress` receives what it reports. */
  call<T = unknown>(name: string, args?: unknown, onProgress?: (value: any) => void): Promise<T>;
  /** Stops the worker; pending calls reject. */
  terminate(): void;
}

/** In the page: calls the functions a worker exposed. A worker that fails to load or throws
 * outside a call rejects every pending call with the reason. */
export function connect(worker: Worker): WorkerConnection {
  let next = 0;
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void; onProgress?: (v: unknown) => void }>();
  const failAll = (message: string): void => {
    for (const p of pending.values()) p.reject(new NervaError(message));
    pending.clear();
  };
  worker.addEventListener('message', (e) => {
    const m = e.data as Message;
    const p = pending.get(m?.id);
    if (p === undefined || m.nerva === 'call') return;
    if (m.nerva === 'progress') { p.onProgress?.(m.value); return; }
    pending.delete(m.id);
    if (m.nerva === 'error') p.reject(new NervaError(m.message));
    else p.resolve(m.value);
  });
  worker.addEventListener('error', (e) => {
    e.preventDefault();
    failAll(`worker: ${(e as ErrorEvent).message || 'the worker script did not load'}`);
  });
  return {
    call(name, args, onProgress) {
      const id = next++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject, onProgress });
        worker.postMessage({ nerva: 'call', id, name, args } satisfies Message);
      });
    },
    terminate() {
      worker.terminate();
      failAll('worker: terminated');
    },
  };
}

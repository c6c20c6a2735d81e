import type { AnswerMessage, AskMessage, AskOp, DoMessage, DoneMessage, WorkerOp } from './cluster-messages.js';
import { isMessage } from './cluster-messages.js';

/** A worker's side of the channel to the cluster primary (null in a single process). */
export interface PrimaryLink {
  /** Asks the primary for `op` over every worker; rejects when no answer comes within `timeoutMs`. */
  ask(op: AskOp, timeoutMs: number): Promise<unknown>;
  /** What this worker does when the primary tells it to (its answer goes back as the result). */
  serve(handlers: Readonly<Record<WorkerOp, () => Promise<unknown>>>): void;
}

/** For a cluster worker: `process.send` reaches the primary. */
export function createPrimaryLink(): PrimaryLink {
  const send = process.send?.bind(process);
  if (send === undefined) throw new Error('internal: a primary link outside a cluster worker');
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void; timer: NodeJS.Timeout }>();
  let nextId = 0;
  process.on('message', (msg: unknown) => {
    if (!isMessage<AnswerMessage>(msg, 'gateway:answer')) return;
    const waiting = pending.get(msg.id);
    if (waiting === undefined) return; // it timed out already
    pending.delete(msg.id);
    clearTimeout(waiting.timer);
    if (msg.error !== undefined) waiting.reject(new Error(msg.error));
    else waiting.resolve(msg.result);
  });
  return {
    ask(op, timeoutMs) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`the cluster primary did not answer "${op}" within ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(id, { resolve, reject, timer });
        send({ type: 'gateway:ask', id, op } satisfies AskMessage);
      });
    },
    serve(handlers) {
      process.on('message', (msg: unknown) => {
        if (!isMessage<DoMessage>(msg, 'gateway:do')) return;
        const handler = handlers[msg.op];
        Promise.resolve()
          .then(() => handler())
          .then(
            (result) => send({ type: 'gateway:done', id: msg.id, result } satisfies DoneMessage),
            (err: unknown) => send({ type: 'gateway:done', id: msg.id, error: err instanceof Error ? err.message : String(err) } satisfies DoneMessage),
          );
      });
    },
  };
}

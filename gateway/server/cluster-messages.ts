/**
 * The messages between the cluster primary and its workers (over the IPC channel cluster sets
 * up). A worker asks the primary for what needs every worker (a reload, a scrape, a certificate
 * renewal); the primary tells each worker to do its part and collects the answers by id.
 */

/** What a worker asks the primary for, on behalf of an admin request. */
export type AskOp = 'reload' | 'metrics' | 'acme-renew';
/**
 * What the primary has each worker do. `reload-refused`: the primary's check refused the file,
 * and each worker counts that in its reload metrics as a reload it refused itself would be.
 * `metrics`: its registry's series as JSON, for the primary to keep and merge (cluster-metrics.ts).
 */
export type WorkerOp = 'reload' | 'reload-refused' | 'acme-renew' | 'metrics';

export interface AskMessage { readonly type: 'gateway:ask'; readonly id: number; readonly op: AskOp }
export interface AnswerMessage { readonly type: 'gateway:answer'; readonly id: number; readonly result?: unknown; readonly error?: string }
export interface DoMessage { readonly type: 'gateway:do'; readonly id: number; readonly op: WorkerOp }
export interface DoneMessage { readonly type: 'gateway:done'; readonly id: number; readonly result?: unknown; readonly error?: string }

/** Only our own messages: cluster itself uses the same channel. */
export function isMessage<T extends { type: string }>(msg: unknown, type: T['type']): msg is T {
  return typeof msg === 'object' && msg !== null && (msg as { type?: unknown }).type === type && typeof (msg as { id?: unknown }).id === 'number';
}

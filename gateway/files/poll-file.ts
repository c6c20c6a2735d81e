import { unwatchFile, watchFile } from 'node:fs';

/**
 * Calls `onChange` when the file's stat changes, polling every `intervalMs`. Polling
 * (fs.watchFile) survives the write-temp-and-rename of atomic writers, certbot and Kubernetes
 * secrets, which fs.watch does not.
 *
 * Node keeps one poller per path shared by every listener, and `unwatchFile(file)` without a
 * listener removes all of them: a runtime replaced on reload would then silence the watch its
 * successor just registered (issue #7). The returned release removes only this call's listener.
 */
export function pollFile(file: string, intervalMs: number, onChange: () => void): () => void {
  // A fresh function per call: it is this watch's identity for unwatchFile. libuv calls it only when the stat differs.
  const listener = () => onChange();
  watchFile(file, { interval: intervalMs }, listener);
  return () => unwatchFile(file, listener);
}

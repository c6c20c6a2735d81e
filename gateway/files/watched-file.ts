import { pollFile } from './poll-file.js';

/**
 * A file's parsed contents, re-read when it changes. A file that fails to parse keeps the last
 * good contents and reports the error.
 */
export interface WatchedFile<T> {
  current(): T;
  /** Stops this watch only; other watchers of the same file keep theirs. */
  close(): void;
}

export function watchParsedFile<T>(file: string, parse: (file: string) => T, onError: (err: Error) => void, intervalMs = 500): WatchedFile<T> {
  let value = parse(file);
  const release = pollFile(file, intervalMs, () => {
    try {
      value = parse(file);
    } catch (err) {
      onError(err as Error);
    }
  });
  return { current: () => value, close: release };
}

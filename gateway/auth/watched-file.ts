import { unwatchFile, watchFile } from 'node:fs';

/**
 * A file's parsed contents, re-read when it changes (polling survives the rename of an atomic
 * write). A file that fails to parse keeps the last good contents and reports the error.
 */
export interface WatchedFile<T> {
  current(): T;
  close(): void;
}

export function watchParsedFile<T>(file: string, parse: (file: string) => T, onError: (err: Error) => void, intervalMs = 500): WatchedFile<T> {
  let value = parse(file);
  watchFile(file, { interval: intervalMs }, () => {
    try {
      value = parse(file);
    } catch (err) {
      onError(err as Error);
    }
  });
  return { current: () => value, close: () => unwatchFile(file) };
}

import { StoreUnavailableError } from '../store/store.js';
import { authError } from './auth-error.js';

/**
 * Token state lives in the store: when it cannot be read or written, the operation is refused
 * with 503 auth.store_unavailable (fail closed, docs/adr/0003) rather than half done.
 */
export async function storeGuard<T>(op: () => Promise<T>, detail = 'token state cannot be changed right now'): Promise<T> {
  try {
    return await op();
  } catch (err) {
    if (err instanceof StoreUnavailableError) throw authError('auth.store_unavailable', detail);
    throw err;
  }
}

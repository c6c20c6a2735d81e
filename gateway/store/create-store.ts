import type { GatewayConfig } from '../config/compile-config.js';
import type { Logger } from '../observability/logger.js';
import { createMemoryStore } from './memory-store.js';
import { createRedisStore } from './redis-store.js';
import type { Store } from './store.js';

export function createStore(config: GatewayConfig['store'], logger: Logger): Promise<Store> {
  return config.redis ? createRedisStore(config.redis, logger) : Promise.resolve(createMemoryStore());
}

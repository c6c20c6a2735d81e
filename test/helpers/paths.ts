import { fileURLToPath } from 'node:url';

/** Repository root (tests run from dist/test/..., so three levels up from this file). */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const GATEWAY_BIN = `${ROOT}dist/gateway/main.js`;
export const MOCK_BIN = `${ROOT}dist/upstream-mock/main.js`;

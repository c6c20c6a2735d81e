import { join } from 'node:path';
import { newApiKey, writeKeysFile, type ApiKeyRecord } from '../../gateway/auth/api-keys.js';
import { createPasswordHasher } from '../../gateway/auth/password-hasher.js';
import { writeUsersFile } from '../../gateway/auth/users-file.js';
import { BASE_CONFIG, type ClientResponse, type GatewayHandle } from './gateway.js';
import { tempDir } from './temp-dir.js';

export const JWT_SECRET = 'test-jwt-secret-0123456789-abcdefghij-XYZ';
export const API_KEY_SECRET = 'test-api-key-secret-0123456789-abcdefgh';
export const PASSWORDS = { alice: 'alice-password-123', bob: 'bob-password-4567', root: 'root-password-8910', carol: 'carol-password-111' } as const;

export interface AuthFiles {
  dir: string;
  usersFile: string;
  keysFile: string;
  keys: { trader: string; expired: string; revokedLater: string };
  records: ApiKeyRecord[];
}

/** A users file (alice: trader, bob and carol: viewer, root: admin) and a keys file, in a fresh folder removed at exit. */
export async function makeAuthFiles(): Promise<AuthFiles> {
  const dir = tempDir('gw-auth-');
  const hasher = await createPasswordHasher({ memoryKiB: 19_456, iterations: 2, parallelism: 1 });
  const usersFile = join(dir, 'users.yaml');
  writeUsersFile(usersFile, [
    { username: 'alice', roles: ['trader'], hash: await hasher.hash(PASSWORDS.alice), disabled: false },
    { username: 'bob', roles: ['viewer'], hash: await hasher.hash(PASSWORDS.bob), disabled: false },
    { username: 'root', roles: ['admin', 'trader'], hash: await hasher.hash(PASSWORDS.root), disabled: false },
    { username: 'carol', roles: ['viewer'], hash: await hasher.hash(PASSWORDS.carol), disabled: false },
  ]);
  const trader = newApiKey(API_KEY_SECRET, 'trading-bot', ['trader'], undefined);
  const expired = newApiKey(API_KEY_SECRET, 'old-bot', ['trader'], new Date(Date.now() - 1000));
  const revokedLater = newApiKey(API_KEY_SECRET, 'temp-bot', ['trader'], undefined);
  const keysFile = join(dir, 'keys.yaml');
  const records = [trader.record, expired.record, revokedLater.record];
  writeKeysFile(keysFile, records);
  return { dir, usersFile, keysFile, keys: { trader: trader.key, expired: expired.key, revokedLater: revokedLater.key }, records };
}

/** BASE_CONFIG with authentication on, and protected routes over the mock's endpoints. */
export function authConfig(files: AuthFiles, extra: { auth?: string; store?: string } = {}): string {
  return `${BASE_CONFIG.replace(/  - id: portfolio\n    auth: none\n/, '  - id: portfolio\n    auth: required\n').replace(/  - id: orders\n    auth: none\n/, '  - id: orders\n    auth: { mode: required, roles: [trader, admin] }\n').replace(/  - id: prices-ws\n    auth: none\n/, '  - id: prices-ws\n    auth: { mode: required, methods: [jwt] }\n')}  - id: risk-viewers
    path: /api/dashboard/risk
    methods: [GET]
    auth: { mode: required, roles: [viewer, admin] }
  - id: overview-jwt-only
    path: /api/dashboard/overview
    methods: [GET]
    auth: { mode: required, methods: [jwt] }
  - id: trading-forward
    path: /api/dashboard/trading
    methods: [GET]
    auth: { mode: optional, forwardAuthorization: true }
auth:
  jwt:
    secret: "${JWT_SECRET}"
    accessTtl: 5m
    refreshTtl: 1h
    refreshGrace: 2s
  users: { file: "${files.usersFile}" }
  apiKeys: { file: "${files.keysFile}", secret: "${API_KEY_SECRET}" }
  login: { failuresPerUserAndIp: 3, failuresPerIp: 20, window: 1m }
${extra.auth ?? ''}${extra.store ?? ''}`;
}

export async function login(gw: GatewayHandle, username: string, password: string, form = false): Promise<ClientResponse> {
  return gw.request('/api/auth/login', form
    ? { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ username, password }).toString() }
    : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
}

export async function tokensFor(gw: GatewayHandle, username: keyof typeof PASSWORDS): Promise<{ access_token: string; refresh_token: string }> {
  const res = await login(gw, username, PASSWORDS[username]);
  if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${res.text}`);
  return res.json();
}

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/** POST /api/auth/refresh with a refresh token. */
export function refreshWith(gw: GatewayHandle, refreshToken: string): Promise<ClientResponse> {
  return gw.request('/api/auth/refresh', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refresh_token: refreshToken }) });
}

/** authConfig with users and keys moved from the files into the store (auth.users|apiKeys { source: store }). */
export function storeDirectoryConfig(files: AuthFiles, store: string): string {
  return authConfig(files, { store })
    .replace(/  users: \{ file: "[^"]*" \}\n/, '  users: { source: store }\n')
    .replace(/  apiKeys: \{ file: "[^"]*", secret: /, '  apiKeys: { source: store, secret: ')
    // Logins refused on purpose must not trip the brute-force limit.
    .replace('failuresPerUserAndIp: 3', 'failuresPerUserAndIp: 100');
}

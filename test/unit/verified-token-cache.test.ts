import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createVerifiedTokenCache } from '../../gateway/auth/tokens/verified-token-cache.js';
import { createTokenService } from '../../gateway/auth/tokens/token-service.js';

test('verified-token cache: hits until valid-until, then misses; bounded, oldest out first', () => {
  let t = 1000;
  const cache = createVerifiedTokenCache<string>(2, () => t);
  cache.set('a', 'A', 2000);
  assert.equal(cache.get('a'), 'A');
  t = 2000;
  assert.equal(cache.get('a'), undefined, 'expired entries are gone');
  cache.set('b', 'B', 9000);
  cache.set('c', 'C', 9000);
  cache.set('d', 'D', 9000);
  assert.equal(cache.get('b'), undefined, 'the oldest made room');
  assert.equal(cache.get('c'), 'C');
  assert.equal(cache.get('d'), 'D');
});

test('a cached access token still expires on time (fixed clock)', async () => {
  let t = Date.parse('2026-11-28T12:00:00Z');
  const tokens = await createTokenService({
    issuer: 'i', audience: 'a', algorithm: 'HS256', secret: 's'.repeat(40),
    accessTtl: 60_000, refreshTtl: 120_000, clockTolerance: 5000, refreshGrace: 1000,
  }, () => t);
  const { access_token } = (await tokens.issuePair('u', ['r'])).tokens;
  assert.equal((await tokens.verifyAccess(access_token)).sub, 'u');
  t += 30_000;
  assert.equal((await tokens.verifyAccess(access_token)).sub, 'u', 'a hit within its life');
  t += 40_000; // 70 s after issue: past exp (60 s) + tolerance (5 s)
  await assert.rejects(tokens.verifyAccess(access_token), (err: { code: string }) => err.code === 'auth.token_expired');
  await assert.rejects(tokens.verifyAccess(`${access_token}x`), (err: { code: string }) => err.code === 'auth.invalid_token');
});

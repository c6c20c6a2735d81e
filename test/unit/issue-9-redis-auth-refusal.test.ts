import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ReplyError } from 'ioredis';
import { authRefusal, type AuthRefusal } from '../../gateway/store/redis-auth-refusal.js';

/** Issue 9 review: a refused password must not read as "unreachable". One row per error ioredis reports. */
const cases: { description: string; event: 'error' | 'node error' | 'sentinelError'; err: unknown; expected: AuthRefusal | null }[] = [
  { description: 'Redis 6+ wrong password (or unknown ACL user)', event: 'error', err: new ReplyError('WRONGPASS invalid username-password pair or user is disabled.'), expected: 'data' },
  { description: 'no password sent to a Redis that requires one', event: 'error', err: new ReplyError('NOAUTH Authentication required.'), expected: 'data' },
  { description: 'Redis < 6 wrong password', event: 'error', err: new ReplyError('ERR invalid password'), expected: 'data' },
  { description: 'an ACL user without the right to run the ready check', event: 'error', err: new ReplyError("NOPERM User gw has no permissions to run the 'info' command"), expected: 'data' },
  { description: 'a Cluster node refusing the password', event: 'node error', err: new ReplyError('WRONGPASS invalid username-password pair or user is disabled.'), expected: 'data' },
  { description: 'a sentinel refusing sentinelPassword (ioredis wraps its reply)', event: 'sentinelError', err: new Error('failed to connect to sentinel 127.0.0.1:26379 because WRONGPASS invalid username-password pair or user is disabled.'), expected: 'sentinel' },
  { description: 'a sentinel asked without sentinelPassword', event: 'sentinelError', err: new Error('failed to connect to sentinel 10.0.0.1:26379 because NOAUTH Authentication required.'), expected: 'sentinel' },
  { description: 'an unreachable sentinel is not a refusal', event: 'sentinelError', err: new Error('failed to connect to sentinel 127.0.0.1:26379 because connect ECONNREFUSED 127.0.0.1:26379'), expected: null },
  { description: 'a refused connection is not a refusal', event: 'error', err: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' }), expected: null },
  { description: 'the code must lead the reply: text that merely mentions it is not one', event: 'error', err: new ReplyError('ERR unknown command NOAUTH'), expected: null },
  { description: 'a plain Error with a refusal text is not a Redis reply', event: 'error', err: new Error('WRONGPASS invalid username-password pair'), expected: null },
  { description: 'READONLY (a demoted primary) is not a refusal', event: 'error', err: new ReplyError("READONLY You can't write against a read only replica."), expected: null },
  { description: 'a Cluster startup failure without a reply', event: 'error', err: new Error('None of startup nodes is available'), expected: null },
  { description: 'not an error at all', event: 'sentinelError', err: 'because WRONGPASS', expected: null },
];

for (const c of cases) {
  test(`authRefusal: ${c.description}`, () => {
    assert.equal(authRefusal(c.event, c.err), c.expected);
  });
}

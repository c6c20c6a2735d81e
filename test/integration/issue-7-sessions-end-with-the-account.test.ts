import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { authConfig, login, makeAuthFiles, tokensFor, type AuthFiles, refreshWith } from '../helpers/auth-fixture.js';
import { gatewayCli } from '../helpers/gateway-cli.js';
import { startGateway, stopAll, type GatewayHandle } from '../helpers/gateway.js';
import { startMock, type MockHandle } from '../helpers/upstream-mock.js';
import { waitUntil } from '../helpers/wait-until.js';

/**
 * Issue 7 (second outside review): a refresh from a removed user was refused but its session
 * left alive, so adding the same name again (new password, new roles) revived the old refresh
 * token with the new roles; a password change ended nothing. A session now records the
 * credential it was opened with, and a refresh from another credential ends it for good.
 */

describe('sessions end with the credential they were opened with', () => {
  let mock: MockHandle;
  let gw: GatewayHandle;
  let files: AuthFiles;
  before(async () => {
    files = await makeAuthFiles();
    mock = await startMock();
    // Polling logins below must not trip the brute-force limit.
    gw = await startGateway({ upstreamUrl: mock.url, config: authConfig(files).replace('failuresPerUserAndIp: 3', 'failuresPerUserAndIp: 100') });
  });
  after(() => stopAll(gw, mock));

  test('a new password, or a remove and add of the same name, ends the sessions opened before', async () => {
    const alice = await tokensFor(gw, 'alice');
    const bob = await tokensFor(gw, 'bob');
    const cli = (args: string[], input?: string) => gatewayCli([...args, '--users-file', files.usersFile], { input });
    assert.equal((await cli(['users', 'passwd', 'alice'], 'alice-new-password-1\n')).code, 0);
    assert.equal((await cli(['users', 'remove', 'bob'])).code, 0);
    assert.equal((await cli(['users', 'add', 'bob', '--role', 'viewer', '--role', 'admin'], 'bob-second-life-123\n')).code, 0);
    await waitUntil(async () => (await login(gw, 'alice', 'alice-new-password-1')).status === 200
      && (await login(gw, 'bob', 'bob-second-life-123')).status === 200, 'the gateway reads the new users file');

    for (const [who, pair] of [['alice', alice], ['bob', bob]] as const) {
      const res = await refreshWith(gw, pair.refresh_token);
      assert.equal(res.status, 401, `${who}: a refresh from before the change`);
      assert.equal(res.json<{ code: string }>().code, 'auth.token_revoked');
    }
    // Ended for good: the refusal revoked the family, whatever the account does next.
    assert.equal((await refreshWith(gw, bob.refresh_token)).status, 401);
  });

  test('sessions opened after the change refresh as usual', async () => {
    const res = await login(gw, 'alice', 'alice-new-password-1');
    assert.equal(res.status, 200);
    const next = await refreshWith(gw, res.json<{ refresh_token: string }>().refresh_token);
    assert.equal(next.status, 200);
  });

  test('a removed user added again does not revive the old session', async () => {
    const carol = await tokensFor(gw, 'carol');
    assert.equal((await gatewayCli(['users', 'remove', 'carol', '--users-file', files.usersFile])).code, 0);
    await waitUntil(async () => (await refreshWith(gw, carol.refresh_token)).status === 401, 'the refresh is refused once carol is gone');
    assert.equal((await gatewayCli(['users', 'add', 'carol', '--role', 'viewer', '--users-file', files.usersFile], { input: 'carol-password-111\n' })).code, 0);
    await waitUntil(async () => (await login(gw, 'carol', 'carol-password-111')).status === 200, 'carol is back');
    assert.equal((await refreshWith(gw, carol.refresh_token)).status, 401, 'the old session stays ended');
  });

  test('a client holding only its refresh token can end its session', async () => {
    // Second outside review: logout needed a valid access token, which expires after 30 min.
    const root = await tokensFor(gw, 'root');
    const res = await gw.request('/api/auth/logout', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refresh_token: root.refresh_token }) });
    assert.equal(res.status, 204);
    assert.equal((await refreshWith(gw, root.refresh_token)).status, 401);
    assert.equal((await gw.request('/api/portfolio', { headers: { Authorization: `Bearer ${root.access_token}` } })).status, 401);
    const forged = await gw.request('/api/auth/logout', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refresh_token: 'not-a-token' }) });
    assert.equal(forged.status, 401);
  });
});

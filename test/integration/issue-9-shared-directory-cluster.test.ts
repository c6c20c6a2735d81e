import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { login, makeAuthFiles, PASSWORDS, storeDirectoryConfig, type AuthFiles } from '../helpers/auth-fixture.js';
import { gatewayCli, type CliResult } from '../helpers/gateway-cli.js';
import { startPairOnCluster, stopClusterPair, type ClusterPair, type GatewayHandle } from '../helpers/gateway.js';
import type { MockHandle } from '../helpers/upstream-mock.js';
import { waitUntil } from '../helpers/wait-until.js';

/**
 * Issue 9: users and API keys in the store on a real three-master Redis Cluster. A directory
 * change is a MULTI over the records and the version: one CROSSSLOT error away from failing if
 * its keys left the shared `{dir}` hash tag. The CLI reaches the Cluster from the same config.
 */
describe('users and API keys in the store on a three-master Redis Cluster', () => {
  let pair: ClusterPair;
  let mock: MockHandle;
  let a: GatewayHandle;
  let b: GatewayHandle;
  let files: AuthFiles;
  let cli: (args: string[], input?: string) => Promise<CliResult>;
  before(async () => {
    files = await makeAuthFiles();
    pair = await startPairOnCluster((store) => storeDirectoryConfig(files, store));
    ({ mock, a, b } = pair);
    cli = (args, input) => gatewayCli([...args, '--config', a.configFile], { input, env: { UPSTREAM_URL: mock.url } });
  });
  after(() => stopClusterPair(pair));

  const keyStatus = async (gw: GatewayHandle, key: string) => (await gw.request('/api/portfolio', { headers: { 'X-API-Key': key } })).status;
  const onBoth = (what: string, cond: (gw: GatewayHandle) => Promise<boolean>) =>
    Promise.all([a, b].map((gw) => waitUntil(() => cond(gw), `${what} (${gw === a ? 'a' : 'b'})`, 3000)));

  test('keys created, imported and revoked by the CLI are seen by both instances', async () => {
    const created = await cli(['keys', 'create', '--name', 'cluster-bot', '--role', 'trader']);
    assert.equal(created.code, 0, created.stderr);
    const key = created.stdout.trim();
    await onBoth('the new key works', async (gw) => await keyStatus(gw, key) === 200);

    const imported = await cli(['keys', 'import', files.keysFile]);
    assert.equal(imported.code, 0, imported.stderr);
    await onBoth('the file\'s key works', async (gw) => await keyStatus(gw, files.keys.trader) === 200);

    assert.equal((await cli(['keys', 'revoke', 'cluster-bot'])).code, 0);
    await onBoth('the revoked key is refused', async (gw) => await keyStatus(gw, key) === 401);
    assert.equal(await keyStatus(a, files.keys.trader), 200, 'the other keys stay');
  });

  test('a user added by the CLI logs in on both; removed, refused on both', async () => {
    const added = await cli(['users', 'add', 'frank', '--role', 'trader'], 'frank-password-4321\n');
    assert.equal(added.code, 0, added.stderr);
    await onBoth('frank logs in', async (gw) => (await login(gw, 'frank', 'frank-password-4321')).status === 200);
    assert.equal((await cli(['users', 'remove', 'frank'])).code, 0);
    await onBoth('frank is refused', async (gw) => (await login(gw, 'frank', 'frank-password-4321')).status === 401);
    assert.equal((await cli(['users', 'import', files.usersFile])).code, 0);
    await onBoth('alice from the file logs in', async (gw) => (await login(gw, 'alice', PASSWORDS.alice)).status === 200);
  });
});

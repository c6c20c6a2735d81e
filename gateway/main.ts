#!/usr/bin/env node
import cluster from 'node:cluster';
import { parseArgs } from 'node:util';
import { ConfigError } from './config/config-error.js';
import type { GatewayConfig } from './config/compile-config.js';
import { loadConfig } from './config/load-config.js';
import { createLogger } from './observability/logger.js';
import { startGateway } from './server/start-gateway.js';
import { keysCommand } from './cli/keys-command.js';
import { packageVersion } from './cli/package-version.js';
import { summarizeRoutes } from './cli/route-summary.js';
import { describeAdminListener } from './cli/admin-summary.js';
import { configWarnings } from './config/config-warnings.js';
import { unnamedRoles } from './cli/unnamed-roles.js';
import { usersCommand, UsageError } from './cli/users-command.js';
import { keyRecords, StoreStepError, userRecords } from './cli/cli-records.js';
import { StoreAuthRefusedError, StoreUnavailableError } from './store/store.js';
import { InvalidRecordError } from './auth/record-problem.js';
import { writePidFile } from './cli/pid-file.js';
import { ADMIN_KEY_VARIABLE, reloadCommand } from './cli/reload-command.js';
import { superviseWorkers, WORKER_READY } from './server/worker-supervisor.js';
import { createCoordinator } from './server/cluster-coordinator.js';
import { createPrimaryLink } from './server/primary-link.js';
import { ensureSelfSignedCert } from './tls/self-signed-cert.js';

const HELP = `gateway: a TLS-terminating security gateway in front of an unmodified backend

Usage:
  gateway serve --config FILE   start the gateway (SIGHUP reloads FILE, SIGTERM/SIGINT drain and stop)
        [--stop-on-stdin-end]   also drain and stop when standard input closes (for a supervisor's pipe)
  gateway check --config FILE   validate FILE; print every error with file:line:col and exit 1, or exit 0
  gateway reload --config FILE  reload the gateway running FILE: through its admin listener (the key in
                                ${ADMIN_KEY_VARIABLE}), or with SIGHUP to the PID in its pidFile
  gateway users add NAME --role ROLE [--role ROLE]   password from stdin (prompted without echo on a terminal)
  gateway users passwd NAME | users remove NAME | users list
  gateway users import FILE [--replace]   a users file's records into the store (auth.users.source: store)
  gateway keys create --name NAME --role ROLE [--expires 90d]   prints the new key once
  gateway keys list | keys revoke NAME
  gateway keys import FILE [--replace]    a keys file's records into the store (auth.apiKeys.source: store;
                                          the same auth.apiKeys.secret the file's keys were made with)
  gateway version | --version   the package version
  gateway --help                this text

users and keys find their files (and argon2 parameters, key secret) through --config FILE,
or take --users-file FILE / --keys-file FILE (then API_KEY_SECRET from the environment).
With auth.users / auth.apiKeys { source: store } in FILE they work on the shared store
(store.redis, e.g. REDIS_URL): every instance sees a change within a second, and users
passwd and users remove also end the user's sessions at once. import refuses names the
store already has unless --replace.
check, serve and keys create need every secret FILE names: config/gateway.yaml names
JWT_SECRET and API_KEY_SECRET (npm start keeps the demo's in .demo/secrets.json; see
README.md); keys import needs the key secret too. The other users and keys commands read
no secret and run without them. In the store, keys create and keys import refuse a key
secret other than the one the store's keys were made with.
users add and keys create refuse --role values a route could not name; a password read
from standard input is at most 1024 bytes.
reload prints what changed, or the errors that kept the running config (exit 1); by PID it
only signals, and the gateway's log says whether FILE was applied.
check also reports files FILE names that do not exist (users file, TLS certificate and key),
and warns (exit code 0) about what a valid FILE does that may not be meant: an admin listener
on an address other than loopback.
users add and keys create warn when no route in FILE names a --role they are given.

Environment variables named in FILE as \${VAR} or \${VAR:-default} are read at load and reload.
`;

/** The only module that listens for signals and decides the exit code. */
async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string', short: 'c' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean' },
      role: { type: 'string', multiple: true },
      name: { type: 'string' },
      expires: { type: 'string' },
      'users-file': { type: 'string' },
      'keys-file': { type: 'string' },
      'stop-on-stdin-end': { type: 'boolean' },
      replace: { type: 'boolean' },
    },
    allowPositionals: true,
    strict: true,
  });
  const command = positionals[0];
  if (values.version || command === 'version') {
    process.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  if (values.help || command === undefined || command === 'help') {
    process.stdout.write(HELP);
    return command === undefined && !values.help ? 2 : 0;
  }
  if (command === 'users' || command === 'keys') {
    try {
      return await manage(command, positionals[1], positionals[2], values);
    } catch (err) {
      if (err instanceof UsageError || err instanceof InvalidRecordError || err instanceof ConfigError || err instanceof StoreStepError) {
        process.stderr.write(`gateway ${command}: ${err.message}\n`);
        return err instanceof UsageError || err instanceof InvalidRecordError ? 2 : 1;
      }
      // No URL in the message: it may carry the Redis password.
      if (err instanceof StoreAuthRefusedError) {
        process.stderr.write(`gateway ${command}: the shared store (store.redis) refused authentication, so the command did not complete: ${err.hint}\n`);
        return 1;
      }
      const busy = err instanceof StoreUnavailableError ? writeRefusedForNow(err) : null;
      if (busy !== null) {
        process.stderr.write(`gateway ${command}: the shared store answered ${busy}: a failover is under way, or the primary has fewer replicas in sync than its min-replicas-to-write; the command did not complete: run it again in a few seconds\n`);
        return 1;
      }
      if (err instanceof StoreUnavailableError) {
        process.stderr.write(`gateway ${command}: the shared store (store.redis) is not reachable or not answering, so the command did not complete. Check that Redis runs and that REDIS_URL / store.redis names it\n`);
        return 1;
      }
      throw err;
    }
  }
  if (command !== 'serve' && command !== 'check' && command !== 'reload') {
    process.stderr.write(`gateway: unknown command "${command}"\n\n${HELP}`);
    return 2;
  }
  if (!values.config) {
    process.stderr.write(`gateway ${command}: --config FILE is required\n`);
    return 2;
  }
  // As given: messages then name the file the way the operator wrote it.
  const file = values.config;

  if (command === 'reload') {
    try {
      // The admin listener, the PID file and the certificate are all it reads: no secret needed.
      return await reloadCommand(loadConfig(file, process.env, { secrets: 'optional' }), file, process.env);
    } catch (err) {
      if (err instanceof UsageError) {
        process.stderr.write(`gateway reload: ${err.message}\n`);
        return 2;
      }
      if (!(err instanceof ConfigError)) throw err;
      process.stderr.write(`gateway reload: ${file} is not valid, nothing was asked (a reload would refuse it too)\n${err.message}\n`);
      return 1;
    }
  }

  if (command === 'check') {
    try {
      const config = loadConfig(file, process.env, { checkFiles: true });
      const summary = [summarizeRoutes(config), describeAdminListener(config)].filter((part) => part !== null);
      process.stdout.write(`${values.config}: ok (${summary.join('; ')})\n`);
      // Still valid: warnings name what the operator may not mean, the exit code stays 0.
      for (const w of configWarnings(config)) process.stderr.write(`gateway check: warning: ${w.path}: ${w.message}\n`);
      return 0;
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      process.stderr.write(`${err.message}\n`);
      return 1;
    }
  }

  let config: GatewayConfig;
  try {
    config = loadConfig(file);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`gateway: invalid config, not starting\n${err.message}\n`);
    return 1;
  }
  const root = createLogger(config.log.level);
  if (config.workers > 1 && cluster.isPrimary) return supervise(config, root, values['stop-on-stdin-end'] === true);
  // A worker's lines carry which process wrote them; workers: 1 never gets here as a worker.
  const worker = cluster.isWorker ? cluster.worker : undefined;
  const logger = worker ? root.child({ worker: worker.id, pid: process.pid }) : root;
  if (!worker) for (const w of configWarnings(config)) logger.warn({ kind: 'config', path: w.path }, w.message);
  const gateway = await startGateway(config, logger, process.env, Date.now, worker ? createPrimaryLink() : null);
  // Once listening: a reload by PID before then would find no handler and end the process.
  // With workers the primary owns the file: it is the PID that forwards SIGHUP to all of them.
  const removePidFile = config.pidFile === null || worker ? () => {} : writePidFile(config.pidFile);
  worker?.send(WORKER_READY);
  return new Promise<number>((done) => {
    process.on('SIGHUP', () => void gateway.reload());
    let stopping = false;
    const stop = () => {
      if (stopping) return;
      stopping = true;
      gateway.shutdown().then(() => {
        removePidFile();
        logger.flush();
        done(0);
      }, (err: unknown) => {
        removePidFile();
        logger.error({ err: String(err) }, 'shutdown failed');
        logger.flush();
        done(1);
      });
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    // The supervisor (npm start) holds the pipe's other end: its death, even by SIGKILL, ends it.
    // A worker leaves that to the primary (and ends with it: cluster exits a worker whose primary is gone).
    if (values['stop-on-stdin-end'] && !worker) process.stdin.once('end', stop).once('error', stop).resume();
  });
}

/** workers > 1: this process only forks, forwards signals and restarts; the workers serve. */
async function supervise(config: GatewayConfig, logger: ReturnType<typeof createLogger>, stopOnStdinEnd: boolean): Promise<number> {
  for (const w of configWarnings(config)) logger.warn({ kind: 'config', path: w.path }, w.message);
  // Made once here: workers each finding no certificate would each write their own, and a client
  // trusting the file on disk would then fail against every worker but the last writer.
  if (config.tls.mode === 'self-signed') await ensureSelfSignedCert(config.tls.certDir, [...(config.hosts ?? [])]);
  // ACME's temporary certificate (served until the CA issues one) is the same file: made here too.
  if (config.tls.mode === 'acme') await ensureSelfSignedCert(config.tls.certDir, config.tls.domains);
  // Each needs the other; neither calls the other before both exist.
  const coordinator = createCoordinator({ configFile: config.file, env: process.env, logger, broadcast: (op, ms) => workers.broadcast(op, ms) });
  const workers = superviseWorkers(config.workers, logger, (op) => coordinator.ask(op), (id) => coordinator.workerExited(id));
  let removePidFile = () => {};
  // As for one process: the PID file appears once SIGHUP has somewhere to go.
  void workers.ready.then(() => {
    if (config.pidFile !== null) removePidFile = writePidFile(config.pidFile);
  });
  return new Promise<number>((done) => {
    // Checked once here, then every worker reloads; the outcome is logged (cluster-coordinator.ts).
    process.on('SIGHUP', () => void coordinator.reload());
    let stopping = false;
    const stop = () => {
      if (stopping) return;
      stopping = true;
      void workers.shutdown().then((code) => {
        removePidFile();
        logger.info({ code }, 'all workers stopped');
        logger.flush();
        done(code);
      });
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    if (stopOnStdinEnd) process.stdin.once('end', stop).once('error', stop).resume();
  });
}

async function manage(command: 'users' | 'keys', action: string | undefined, name: string | undefined, v: Record<string, string | boolean | string[] | undefined>): Promise<number> {
  const configFile = typeof v.config === 'string' ? v.config : undefined;
  // Only `keys create` needs a secret (to hash the new key); the rest work without the env vars.
  const config = configFile === undefined ? undefined : loadConfig(configFile, process.env, { secrets: 'optional' });
  const roles = (v.role as string[] | undefined) ?? [];
  const replace = v.replace === true;
  let code: number;
  if (command === 'users') {
    const target = await userRecords(config, v['users-file'] as string | undefined);
    try {
      code = await usersCommand(action ?? '', name, { records: target.records, endSessions: target.endSessions, argon2: config?.auth?.argon2 ?? DEFAULT_ARGON2, roles, replace });
    } finally {
      await target.close();
    }
  } else {
    const target = await keyRecords(config, v['keys-file'] as string | undefined);
    const secret = config?.auth?.apiKeys?.secret ?? process.env.API_KEY_SECRET;
    try {
      code = await keysCommand(action ?? '', name, { records: target.records, inStore: target.store !== null, secret, claimSecret: target.claimSecret, roles, name: v.name as string | undefined, expires: v.expires as string | undefined, replace });
    } finally {
      await target.close();
    }
  }
  // Still a success: the role may be meant for routes not written yet.
  if (code === 0 && config && (action === 'add' || action === 'create')) {
    for (const role of unnamedRoles(config, roles)) {
      process.stderr.write(`gateway ${command}: warning: no route in ${v.config as string} names role "${role}"; it reaches only routes open to any authenticated caller\n`);
    }
  }
  return code;
}

const DEFAULT_ARGON2 = { memoryKiB: 19_456, iterations: 2, parallelism: 1 };

main(process.argv.slice(2)).then(
  (code) => {
    // Let pino's async destination drain before exiting.
    setTimeout(() => process.exit(code), 50).unref();
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`gateway: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);

/** The reply word of a store that is up but refuses writes for the moment (Redis error replies start with it). */
function writeRefusedForNow(err: StoreUnavailableError): string | null {
  // In a MULTI the refusal comes as EXECABORT, the reason among ioredis' previousErrors.
  const cause = err.cause as (Error & { previousErrors?: Error[] }) | undefined;
  for (const reply of [cause, ...(cause?.previousErrors ?? [])]) {
    const word = /^(NOREPLICAS|READONLY|MASTERDOWN|LOADING|CLUSTERDOWN|TRYAGAIN)\b/.exec(String(reply?.message ?? ''));
    if (word) return word[1]!;
  }
  return null;
}

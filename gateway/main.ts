#!/usr/bin/env node
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError } from './config/config-error.js';
import { loadConfig } from './config/load-config.js';
import { createLogger } from './observability/logger.js';
import { startGateway } from './server/start-gateway.js';

const HELP = `gateway: a TLS-terminating security gateway in front of an unmodified backend

Usage:
  gateway serve --config FILE   start the gateway (SIGHUP reloads FILE, SIGTERM/SIGINT drain and stop)
  gateway check --config FILE   validate FILE; print every error with file:line:col and exit 1, or exit 0
  gateway --help                this text

Environment variables named in FILE as \${VAR} or \${VAR:-default} are read at load and reload.
`;

/** The only module that listens for signals and decides the exit code. */
async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
    strict: true,
  });
  const command = positionals[0];
  if (values.help || command === undefined || command === 'help') {
    process.stdout.write(HELP);
    return command === undefined && !values.help ? 2 : 0;
  }
  if (command !== 'serve' && command !== 'check') {
    process.stderr.write(`gateway: unknown command "${command}"\n\n${HELP}`);
    return 2;
  }
  if (!values.config) {
    process.stderr.write(`gateway ${command}: --config FILE is required\n`);
    return 2;
  }
  const file = resolve(values.config);

  if (command === 'check') {
    try {
      const config = loadConfig(file);
      process.stdout.write(`${values.config}: ok (${config.routes.length} routes)\n`);
      return 0;
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      process.stderr.write(`${err.message}\n`);
      return 1;
    }
  }

  let level = 'info';
  try {
    level = loadConfig(file).log.level;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`gateway: invalid config, not starting\n${err.message}\n`);
    return 1;
  }
  const logger = createLogger(level);
  const gateway = await startGateway(file, logger);
  return new Promise<number>((done) => {
    process.on('SIGHUP', () => void gateway.reload());
    const stop = () => {
      gateway.shutdown().then(() => {
        logger.flush();
        done(0);
      }, (err: unknown) => {
        logger.error({ err: String(err) }, 'shutdown failed');
        logger.flush();
        done(1);
      });
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}

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

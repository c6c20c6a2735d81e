interface LogEntry {
  msg?: string;
  https?: string;
  http?: string;
  admin?: string;
  kind?: string;
  status?: number;
  method?: string;
  path?: string;
  duration_ms?: number;
}

/** One gateway log line as the demo's terminal shows it: the start banner, short access lines, the rest as is. */
export function describeGatewayLine(line: string, pid: number, certDir: string): string {
  let entry: LogEntry;
  try {
    entry = JSON.parse(line) as LogEntry;
  } catch {
    return `${line}\n`;
  }
  if (entry.msg === 'gateway listening') {
    return [
      `gateway HTTPS on ${entry.https} (self-signed certificate in ${certDir}/)`,
      entry.http ? `gateway HTTP  on ${entry.http} (redirects to HTTPS)` : '',
      entry.admin ? `gateway admin on ${entry.admin} (role admin; docs/admin.md)` : '',
      `gateway PID ${pid}: after editing config/gateway.yaml, \`kill -HUP ${pid}\` reloads it`,
      `try: curl -k ${entry.https}/api/docs -i   (then log in as in README.md, "Trying the demo")`,
      'Ctrl-C (or closing this terminal) stops both.',
      '',
    ].filter(Boolean).join('\n') + '\n';
  }
  if (entry.kind === 'access') return `${entry.status} ${entry.method} ${entry.path} ${entry.duration_ms} ms\n`;
  return `${line}\n`;
}

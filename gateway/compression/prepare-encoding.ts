import type { IncomingMessage } from 'node:http';
import type { CompressionConfig } from '../config/schema/compression.js';
import { compressibility, type ResponseHeaders } from './compressible.js';
import { addVaryAcceptEncoding, codedHeaders, notModifiedHeaders } from './encoding-headers.js';
import { negotiateEncoding, type Coding } from './negotiate-encoding.js';

/**
 * Decides the coding of one proxied response and fixes its outgoing fields (`out`, flat) to
 * match; null: send the body as it comes. Called only on routes that compress. A request with
 * no Accept-Encoding costs the compressibility checks alone (its Vary still has to be right).
 */
export function prepareEncoding(req: IncomingMessage, status: number, headers: ResponseHeaders, out: string[], settings: CompressionConfig): Coding | null {
  if (status === 304) {
    notModifiedHeaders(out, req.headers['if-none-match']);
    return null;
  }
  const verdict = compressibility(req.method!, status, headers, settings);
  if (verdict === 'no') return null;
  const coding = verdict === 'compress' ? negotiateEncoding(req.headers['accept-encoding'], settings.offered) : null;
  if (coding === null) addVaryAcceptEncoding(out);
  else codedHeaders(out, coding, null);
  return coding;
}

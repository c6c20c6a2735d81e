import type { ServerResponse } from 'node:http';
import { Writable } from 'node:stream';
import { brotliCompress, gzip } from 'node:zlib';
import type { CompressionConfig } from '../config/schema/compression.js';
import { brotliOptions } from './coding-options.js';
import type { Coding } from './negotiate-encoding.js';

/**
 * A body whose Content-Length is small, collected (its size is known and bounded), coded in one
 * thread-pool call, and sent with one `res.end`: the head, the coded body and the last chunk
 * leave in one TLS write instead of one per compressor output. The head is written only then:
 * a destroyed compressor (backend failure, client gone) has sent nothing and never ends `res`,
 * so the proxy stage can still answer the failure itself (502) or let a closed `res` go.
 */
export class WholeBodyCompressor extends Writable {
  private readonly chunks: Buffer[] = [];

  constructor(
    private readonly res: ServerResponse,
    private readonly status: number,
    private readonly fields: string[],
    private readonly coding: Coding,
    private readonly levels: Pick<CompressionConfig, 'gzipLevel' | 'brotliQuality'>,
    private readonly length: number,
  ) {
    super();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (err?: Error | null) => void): void {
    this.chunks.push(chunk);
    done();
  }

  override _final(done: (err?: Error | null) => void): void {
    const body = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    this.chunks.length = 0;
    const coded = (err: Error | null, out: Buffer) => {
      if (err !== null) return done(err);
      if (!this.destroyed && !this.res.destroyed) this.res.writeHead(this.status, this.fields).end(out);
      done();
    };
    if (this.coding === 'gzip') gzip(body, { level: this.levels.gzipLevel }, coded);
    else brotliCompress(body, brotliOptions(this.levels.brotliQuality, this.length), coded);
  }
}

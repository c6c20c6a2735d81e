import { constants, type BrotliOptions } from 'node:zlib';

/**
 * Brotli's parameters for our bodies: every type we code is text or text-like (compressible.ts),
 * and MODE_TEXT tunes the context modelling for it; a size hint (the Content-Length, when known)
 * lets the encoder size its window and buffers to the body instead of its 4 MB default.
 */
export function brotliOptions(quality: number, sizeHint: number | undefined): BrotliOptions {
  const params: Record<number, number> = {
    [constants.BROTLI_PARAM_QUALITY]: quality,
    [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
  };
  if (sizeHint !== undefined && sizeHint > 0) params[constants.BROTLI_PARAM_SIZE_HINT] = sizeHint;
  return { params };
}

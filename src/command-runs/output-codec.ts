import { promisify } from 'node:util';
import { brotliCompressSync, brotliDecompress, constants } from 'node:zlib';

/**
 * Stored output chunks are brotli at quality 0: fast (about 4x on log text) and PostgreSQL's
 * bytea inserts, not the network, limit how fast output can be stored, so they get a quarter of
 * the bytes (bench: 200 MB of log lines stored as 47 MB). Quality 1 stores 27 % less but costs
 * more CPU than it saves. A 256 KB window keeps the compressor's memory small; output comes in
 * 256 KB pieces joined at the end, so a compressed batch holds about its own size.
 */
const BROTLI = { chunkSize: 256 * 1024, params: { [constants.BROTLI_PARAM_QUALITY]: 0, [constants.BROTLI_PARAM_LGWIN]: 18 } };

/** Compresses one batch of output (synchronously: it runs on the output storage thread). */
export function compressOutput(bytes: Uint8Array): Buffer {
  return brotliCompressSync(bytes, BROTLI);
}

export const decompressOutput: (data: Buffer) => Promise<Buffer> = promisify(brotliDecompress);

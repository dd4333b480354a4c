import { Encoder } from '@toondepauw/node-zstd';
import { decompress as zstdDecompress } from 'fzstd';
import { promisify } from 'node:util';
import { brotliDecompress } from 'node:zlib';

/**
 * Stored output chunks are zstd frames at level 1. Storing output costs PostgreSQL about as much
 * CPU per stored byte as compressing costs per input byte, so the compressor that stores the fewest
 * bytes for its speed wins: on 200 MB of log lines (bench: run-command) zstd 1 stores 32 MB in the
 * time brotli 0 stores 47 MB; brotli 1, zstd 2-3 and the negative zstd levels all cost more in sum.
 */
const LEVEL = 1;
/** Every zstd frame starts with it; chunks stored before zstd are brotli streams, which never do (their first bit, set, encodes the window). */
const ZSTD_MAGIC = Buffer.from([0x28, 0xb5, 0x2f, 0xfd]);

const encoder = new Encoder(LEVEL);
const brotliDecompressAsync = promisify(brotliDecompress);

/** Compresses one batch of output (synchronously: it runs on the output storage thread). */
export function compressOutput(bytes: Uint8Array): Buffer {
  return encoder.encodeSync(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}

/**
 * A stored chunk's output; `size` is its uncompressed size (the row's `bytes`). zstd is decoded
 * by fzstd (JavaScript) into a buffer of that size: the native decoder's buffers are invisible to
 * V8, so reading 100 MB of output back grew a worker by 140 MB before a GC freed them.
 */
export async function decompressOutput(data: Buffer, size: number): Promise<Buffer> {
  if (!data.subarray(0, ZSTD_MAGIC.length).equals(ZSTD_MAGIC)) return brotliDecompressAsync(data);
  const output = Buffer.allocUnsafe(size);
  const decoded = zstdDecompress(data, output);
  if (decoded.length !== size) throw new Error(`stored output chunk holds ${decoded.length} bytes, its row says ${size}`);
  return output;
}

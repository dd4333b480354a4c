import type { OutputWriter } from '../../command-runs/output-store';
import { Redactor } from '../../redaction/redactor';
import type { AttachedDyno } from '../../rendezvous/client';
import { RendezvousOutputDecoder } from '../../rendezvous/output-decoder';

/** Writing to PostgreSQL failed (as opposed to the connection breaking). */
export class OutputStoreError extends Error {
  override name = 'OutputStoreError';
}

export interface PumpOptions {
  writer: OutputWriter;
  /** Config var values to remove (redactor.ts); tokens are always removed. */
  secrets: readonly string[];
  /** Aborting ends the stream (socket destroyed); what arrived is still stored. */
  signal: AbortSignal;
}

export interface PumpResult {
  exitCode: number | null;
  /** The connection failed (reset, TLS error) rather than closing. */
  broken: boolean;
}

/**
 * Moves a dyno's output from its Rendezvous socket into storage: decoded, exit-status marker
 * removed, redacted, written as it arrives. Reading waits whenever the writer does, so memory
 * stays flat however much the command prints. Everything read is stored before this returns,
 * also when it was aborted or the connection broke.
 */
export async function pumpOutput(attached: AttachedDyno, options: PumpOptions): Promise<PumpResult> {
  const { socket } = attached;
  const { writer, signal } = options;
  const stop = () => socket.destroy();
  signal.addEventListener('abort', stop, { once: true });
  const decoder = new RendezvousOutputDecoder();
  // Output stays bytes end to end: secrets are matched as their UTF-8 bytes.
  const redactor = new Redactor(options.secrets).stream();
  // The writer takes a chunk synchronously; the reader waits only while it has enough batches in flight.
  const store = async (bytes: Buffer) => {
    try {
      if (!writer.write(redactor.push(bytes))) await writer.drain();
    } catch (err) {
      throw new OutputStoreError('storing the output failed', { cause: err });
    }
  };
  let broken = false;
  try {
    await store(decoder.push(attached.firstBytes));
    for await (const chunk of socket) await store(decoder.push(chunk as Buffer));
  } catch (err) {
    if (err instanceof OutputStoreError) {
      socket.destroy();
      throw err.cause;
    }
    broken = !signal.aborted;
  } finally {
    signal.removeEventListener('abort', stop);
  }
  const last = decoder.end();
  writer.write(redactor.push(last.bytes));
  writer.write(redactor.end());
  await writer.close();
  return { exitCode: last.exitCode, broken };
}

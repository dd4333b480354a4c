import type { OutputWriter } from '../../command-runs/output-store';
import { Redactor } from '../../redaction/redactor';
import type { AttachedDyno } from '../../rendezvous/client';
import { RendezvousOutputDecoder } from '../../rendezvous/output-decoder';

/** A Rendezvous attachment, or a Fir run-inside SSH session (src/fir/inside-client.ts): destroying the socket ends the stream. */
export type OutputSource = Pick<AttachedDyno, 'pipeOutput'> & { socket: { destroy(): void } };

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
 * also when it was aborted or the connection broke; a failed insert is thrown.
 */
export async function pumpOutput(attached: OutputSource, options: PumpOptions): Promise<PumpResult> {
  const { writer, signal } = options;
  const stop = () => attached.socket.destroy();
  signal.addEventListener('abort', stop, { once: true });
  const decoder = new RendezvousOutputDecoder();
  // Output stays bytes end to end: secrets are matched as their UTF-8 bytes.
  const redactor = new Redactor(options.secrets).stream();
  let broken: boolean;
  try {
    // The bytes are the connection's read buffer: decoder and redactor copy what they hold back, the writer the rest.
    ({ broken } = await attached.pipeOutput({ write: (bytes) => writer.write(redactor.push(decoder.push(bytes))), drain: () => writer.drain() }));
  } finally {
    signal.removeEventListener('abort', stop);
  }
  const last = decoder.end();
  writer.write(redactor.push(last.bytes));
  writer.write(redactor.end());
  await writer.close();
  return { exitCode: last.exitCode, broken: broken && !signal.aborted };
}

import type { temporal } from '@temporalio/proto';
import { EncryptionCodec } from '../../src/temporal/encryption-codec';
import type { Harness } from './harness';

type History = temporal.api.history.v1.IHistory;
type Payload = temporal.api.common.v1.IPayload;

const isEncryptedPayload = (v: unknown): v is Payload => {
  const enc = (v as Payload | null)?.metadata?.encoding;
  return enc instanceof Uint8Array && Buffer.from(enc).toString() === 'binary/encrypted';
};

/**
 * A workflow's history with every encrypted payload decoded in place — what an SRE sees in the Web
 * UI through the codec endpoint. Tests searching histories for secrets must search this, not the
 * ciphertext the server stores.
 */
export async function fetchDecodedHistory(h: Harness, workflowId: string): Promise<History> {
  const history = await h.temporal.workflow.getHandle(workflowId).fetchHistory();
  const codec = new EncryptionCodec(h.encryptionKey);
  const walk = async (node: unknown): Promise<void> => {
    if (node === null || typeof node !== 'object' || node instanceof Uint8Array) return;
    for (const [key, value] of Object.entries(node)) {
      if (isEncryptedPayload(value)) {
        const [decoded] = await codec.decode([{ metadata: value.metadata ?? {}, data: value.data ?? new Uint8Array() }]);
        (node as Record<string, unknown>)[key] = decoded;
        await walk(decoded);
      } else {
        await walk(value);
      }
    }
  };
  await walk(history);
  return history;
}

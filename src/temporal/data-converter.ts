import type { DataConverter } from '@temporalio/common';
import { EncryptionCodec } from './encryption-codec';

/** Path of the failure converter module, also given to bundleWorkflowCode for prebuilt bundles. */
export const failureConverterPath = require.resolve('./failure-converter');

/**
 * The one data converter every Temporal client and worker of this project uses: payloads and
 * failure messages encrypted with ENCRYPTION_KEY (previous keys still decrypt, for rotation).
 */
export function createDataConverter(encryptionKey: Buffer, previousKeys: Buffer[] = []): DataConverter {
  return {
    payloadCodecs: [new EncryptionCodec(encryptionKey, previousKeys)],
    failureConverterPath,
  };
}

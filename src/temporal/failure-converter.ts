import { DefaultFailureConverter } from '@temporalio/common';

// Loaded by path (DataConverter.failureConverterPath) in clients, workers and the workflow
// sandbox: failure messages and stack traces move into an encoded payload, so the codec encrypts
// them like any other payload instead of leaving them in clear text in history.
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });

import type { Logger } from '@temporalio/common';

/** The workflow bundler is chatty at info level; tests only care whether bundling worked. */
export const quietBundlerLogger: Logger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

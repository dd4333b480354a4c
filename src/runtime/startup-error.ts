/**
 * A start-up problem the operator must fix (a setting, a permission). main.ts prints its message
 * alone, as one clear line, instead of a stack trace: the stack would only hide the fix.
 */
export class StartupError extends Error {
  override name = 'StartupError';
}

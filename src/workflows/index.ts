// Every workflow type the worker registers; their exported names are the workflow type names of
// CONTRACT §4. Workflow code is deterministic: no I/O, no Node built-ins (enforced by ESLint).
export { RunCommandOnHeroku } from './run-command';

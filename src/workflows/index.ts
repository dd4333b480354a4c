// Every workflow type the worker registers; their exported names are the workflow type names of
// CONTRACT §4. Workflow code is deterministic: no I/O, no Node built-ins (enforced by ESLint).
export { EnrichHerokuPulse } from './enrich-pulse';
export { InstallHerokuIntegration } from './install-heroku-integration';
export { SyncHerokuIntegrationApps } from './sync-heroku-integration-apps';
export { DisconnectHerokuIntegration } from './disconnect-heroku-integration';
export { RunCommandOnHeroku } from './run-command';
export { NexusRunCommand } from './nexus-run-command';
export { RollbackHerokuRelease } from './rollback-heroku-release';
export { NexusRollbackRelease } from './nexus-rollback-release';

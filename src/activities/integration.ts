import type { ActivityDeps } from './deps';
import { createIntegrationDisconnectActivities } from './integration-disconnect';
import { createIntegrationInstallActivities } from './integration-install';
import { createIntegrationLifecycleActivities } from './integration-lifecycle';
import { herokuClients } from './integration-support';
import { createIntegrationWebhookActivities } from './integration-webhooks';

/** Activities of InstallHerokuIntegration, SyncHerokuIntegrationApps and DisconnectHerokuIntegration. */
export function createIntegrationActivities(deps: ActivityDeps) {
  const heroku = herokuClients(deps);
  return {
    ...createIntegrationLifecycleActivities(deps),
    ...createIntegrationInstallActivities(deps, heroku),
    ...createIntegrationWebhookActivities(deps, heroku),
    ...createIntegrationDisconnectActivities(deps, heroku),
  };
}

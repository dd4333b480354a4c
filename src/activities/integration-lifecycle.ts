import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/client';
import { findIntegration, transitionStatus } from '../integrations/integration-store';
import { acquireLifecycleLease, IntegrationNotFoundError, releaseLifecycleLease } from '../integrations/lifecycle-lease';
import type { IntegrationStatus } from '../integrations/model';
import type { ActivityDeps } from './deps';

/** Integration status changes and the lifecycle lease (see lifecycle-lease.ts). */
export function createIntegrationLifecycleActivities(deps: ActivityDeps) {
  const { db } = deps;

  async function isWorkflowRunning(workflowId: string): Promise<boolean> {
    try {
      const description = await Context.current().client.workflow.getHandle(workflowId).describe();
      return description.status.name === 'RUNNING';
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return false;
      throw err;
    }
  }

  async function statusOf(integrationId: string): Promise<IntegrationStatus> {
    const row = await findIntegration(db, integrationId);
    if (!row) throw new IntegrationNotFoundError(`No integration ${integrationId}`);
    return row.status;
  }

  return {
    /** Waits (through retries) until this workflow may change the integration. */
    async acquireLifecycleLease(input: { integrationId: string; workflowId: string }): Promise<void> {
      await acquireLifecycleLease(db, input.integrationId, input.workflowId, isWorkflowRunning);
    },

    async releaseLifecycleLease(input: { integrationId: string; workflowId: string }): Promise<void> {
      await releaseLifecycleLease(db, input.integrationId, input.workflowId);
    },

    async integrationStatus(input: { integrationId: string }): Promise<IntegrationStatus> {
      return statusOf(input.integrationId);
    },

    /** pending → installing. Returns false (and changes nothing) when the integration is past that point. */
    async beginInstall(input: { integrationId: string }): Promise<boolean> {
      await statusOf(input.integrationId);
      return transitionStatus(db, input.integrationId, ['pending', 'installing'], 'installing');
    },

    /** installing → connected; a disconnect that started meanwhile keeps its status. */
    async finishInstall(input: { integrationId: string }): Promise<void> {
      await transitionStatus(db, input.integrationId, ['installing'], 'connected');
    },

    /**
     * installing → error with a reason shown to admins. A reason already recorded (e.g. "reconnect
     * needed" by the token source) is kept, since the status is no longer `installing` then.
     */
    async failInstall(input: { integrationId: string; reason: string }): Promise<void> {
      const moved = await transitionStatus(db, input.integrationId, ['installing'], 'error', input.reason);
      if (moved) deps.logger.error({ integrationId: input.integrationId, reason: input.reason }, 'Heroku integration install failed');
    },
  };
}

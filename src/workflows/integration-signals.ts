import { defineSignal } from '@temporalio/workflow';

// Messages of the integration workflows, in a module of their own so the API can import them
// without loading workflow code.

/** Sent to SyncHerokuIntegrationApps (with signalWithStart) each time the watched app list changes. */
export const appsChangedSignal = defineSignal('appsChanged');

/** Status of an integration (CONTRACT §3). */
export const INTEGRATION_STATUSES = ['pending', 'installing', 'connected', 'disconnecting', 'disconnected', 'error'] as const;
export type IntegrationStatus = (typeof INTEGRATION_STATUSES)[number];

/**
 * Status of one watched app (`integration_apps.status`):
 * pending (listed, not synced yet) → syncing → active | error; removing (taken off the list or
 * disconnecting, our webhook still to delete; `last_error` says why it is not deleted yet).
 */
export type AppStatus = 'pending' | 'syncing' | 'active' | 'error' | 'removing';

/** `status_reason` prefix of an integration whose OAuth grant is dead: only an admin can fix it. */
export const RECONNECT_NEEDED = 'reconnect needed';

/** Heroku app names: lowercase letters, digits and dashes, 3–30 characters, starting with a letter. */
export const HEROKU_APP_NAME = /^[a-z][a-z0-9-]{2,29}$/;

/** Apps a sync works on at the same time: fast for hundreds of apps, gentle on the per-account rate budget. */
export const APP_CONCURRENCY = 10;

/** Most apps one integration watches: one activity per app keeps each sync well inside Temporal's history limits. */
export const MAX_APPS_PER_INTEGRATION = 500;

/**
 * Activity error types (by class name) that no retry can fix: the grant is dead, the OAuth client
 * is not configured, the integration does not exist.
 */
export const NON_RETRYABLE_INTEGRATION_ERRORS = ['ReconnectNeededError', 'MissingOAuthClientError', 'IntegrationNotFoundError'];

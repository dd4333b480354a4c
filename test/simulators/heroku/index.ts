// Public entry point of the Heroku simulator (Platform API, id.heroku.com, webhooks, Rendezvous).
export { HerokuSimulator, type HerokuSimulatorOptions, type IssuedCredentials, type OAuthClientSpec } from './heroku-simulator';
export { signWebhookBody } from './webhook-signature';
export type { DeployOptions, DeploySummary, DeployedEvent } from './deploy';
export type { FaultSpec, ActiveFault, SimulatedHost } from './faults';
export type { CallRecord } from './call-log';
export type { DeliveryRecord, DeliveryAttempt, DeliveryStatus } from './webhook-delivery';
export type { PostResult, WebhookRetryOptions } from './webhook-sender';
export type { JsonLayout } from './json-bytes';
export type { RateLimitOptions } from './rate-limiter';
export type { Account, App, OAuthClient, OAuthScope, WebhookEvent, WebhookSubscription } from './model';

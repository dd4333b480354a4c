import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

// Keyword search attributes every workflow sets where they apply (CONTRACT §4). Values are
// clear text on the server: never put anything secret in them.
export const HerokuAppKey = defineSearchAttributeKey('HerokuApp', SearchAttributeType.KEYWORD);
export const IncidentIdKey = defineSearchAttributeKey('IncidentId', SearchAttributeType.KEYWORD);
export const IntegrationIdKey = defineSearchAttributeKey('IntegrationId', SearchAttributeType.KEYWORD);

/** The approval gate's state on gated runs and rollbacks: pending, approved, rejected or expired. */
export const ApprovalStatusKey = defineSearchAttributeKey('ApprovalStatus', SearchAttributeType.KEYWORD);

export const searchAttributeKeys = [HerokuAppKey, IncidentIdKey, IntegrationIdKey, ApprovalStatusKey];

/** Every kind of change (CONTRACT §6 "Changes"), in the order the legend shows them. */
export const CHANGE_KINDS = ['build', 'release', 'config', 'scaling', 'addon', 'maintenance', 'rename', 'rollback'] as const;
export type ChangeKindName = (typeof CHANGE_KINDS)[number];

/** Kinds whose pulse is one Heroku release (data.releaseId, data.version): a rollback from it is possible. */
export const RELEASE_KINDS: readonly ChangeKindName[] = ['release', 'config', 'rollback'];

// Pure: the workflow uses it.

/** What is gated: a command run or a rollback (whose rows keep their own `status`). */
export type ApprovalSubjectKind = 'command_run' | 'rollback';

/** `<kind>:<subject id>`: the approval's row id and the value its Slack buttons carry. */
export const approvalIdOf = (kind: ApprovalSubjectKind, subjectId: string): string => `${kind}:${subjectId}`;

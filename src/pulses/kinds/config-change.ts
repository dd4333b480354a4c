// Config-var releases (heroku.md §5.2: descriptions such as `Set FOO, BAR config vars`). The
// description is free text from Heroku: only names that match the strict patterns below are
// copied, nothing else of it. A config var name cannot hold `=`, a space or a comma, so no value
// can ride along with a name; a description that looks like a config change but does not match
// makes a pulse that names nothing.

export type ConfigOperation = 'set' | 'remove' | 'update' | 'attach' | 'detach' | 'changed';

export interface ConfigChange {
  operation: ConfigOperation;
  /** Config var names (set / remove / update). */
  variables: string[];
  /** Add-on attachment name (attach / detach / update by an add-on), e.g. `DATABASE`. */
  attachment: string | null;
  /** Add-on name (attach / detach) or add-on service name (update by), e.g. `postgresql-cubic-12345`. */
  addon: string | null;
}

const NAME = '[A-Za-z_][A-Za-z0-9_]{0,127}';
const NAMES = `${NAME}(?:, ${NAME}){0,199}`;
const ADDON = '[a-z][a-z0-9-]{0,99}';
const VARS = new RegExp(`^(Set|Remove|Update) (${NAMES}) config vars?$`);
const ATTACHMENT = new RegExp(`^(Attach|Detach) (${NAME}) \\(@ref:(${ADDON})\\)$`);
const UPDATED_BY = new RegExp(`^Update (${NAME}) by (${ADDON})$`);
const LOOKS_LIKE_CONFIG = /config vars?\b/i;

/** The config change a release description describes, or null when the release is something else (a deploy, a rollback …). */
export function configChangeOf(description: string | null | undefined): ConfigChange | null {
  if (description === null || description === undefined) return null;
  const vars = VARS.exec(description);
  if (vars) {
    return { operation: (vars[1] ?? '').toLowerCase() as ConfigOperation, variables: (vars[2] ?? '').split(', '), attachment: null, addon: null };
  }
  const attachment = ATTACHMENT.exec(description);
  if (attachment) {
    return { operation: (attachment[1] ?? '').toLowerCase() as ConfigOperation, variables: [], attachment: attachment[2] ?? null, addon: attachment[3] ?? null };
  }
  const updatedBy = UPDATED_BY.exec(description);
  if (updatedBy) return { operation: 'update', variables: [], attachment: updatedBy[1] ?? null, addon: updatedBy[2] ?? null };
  if (LOOKS_LIKE_CONFIG.test(description)) return { operation: 'changed', variables: [], attachment: null, addon: null };
  return null;
}

/** The part of the summary after `app:` — built from the parsed names only. */
export function describeConfigChange(change: ConfigChange): string {
  switch (change.operation) {
    case 'set':
    case 'remove':
      return `${change.operation} ${change.variables.join(', ')}`;
    case 'update':
      return change.variables.length > 0 ? `update ${change.variables.join(', ')}` : `update ${change.attachment ?? ''} by ${change.addon ?? ''}`;
    case 'attach':
    case 'detach':
      return `${change.operation} ${change.attachment ?? ''} (${change.addon ?? ''})`;
    case 'changed':
      return 'config vars changed';
  }
}

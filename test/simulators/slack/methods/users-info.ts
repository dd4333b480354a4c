import { platformError, stringArg } from '../web-api-args';
import type { MethodHandler } from './method-context';

/** A person of the simulated workspace. */
export interface SlackUser {
  /** `U…` (or `W…` on Enterprise Grid). */
  readonly id: string;
  readonly name: string;
  readonly realName?: string;
  readonly email?: string;
  readonly isBot?: boolean;
  readonly deleted?: boolean;
}

/**
 * `users.info` (docs.slack.dev/reference/methods/users.info).
 *
 * - Needs the `users:read` scope: without it `missing_scope` with `needed` and `provided`, the
 *   shape Slack uses for every scope error.
 * - `user` must name a user of the workspace → else `user_not_found`.
 * - `profile.email` is present only with the `users:read.email` scope as well ("the `email`
 *   field ... requires the users:read.email scope", User object docs); without it the field is
 *   simply absent, not an error.
 */
export const usersInfo: MethodHandler = (args, { users, scopes, identity }) => {
  if (!scopes.has('users:read')) return { ...platformError('missing_scope'), needed: 'users:read', provided: [...scopes].join(',') };
  const user = users.get(stringArg(args, 'user') ?? '');
  if (!user) return platformError('user_not_found');
  const realName = user.realName ?? user.name;
  return {
    ok: true,
    user: {
      id: user.id,
      team_id: identity.teamId,
      name: user.name,
      deleted: user.deleted ?? false,
      real_name: realName,
      is_bot: user.isBot ?? false,
      profile: {
        real_name: realName,
        display_name: user.name,
        ...(user.email && scopes.has('users:read.email') ? { email: user.email } : {}),
      },
    },
  };
};

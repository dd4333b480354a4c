import type { MethodHandler } from './method-context';

/** `auth.test`: who the token is (slack-liquid.md A8.8). Authentication already happened. */
export const authTest: MethodHandler = (_args, { identity }) => ({
  ok: true,
  url: identity.url,
  team: identity.team,
  user: identity.user,
  team_id: identity.teamId,
  user_id: identity.userId,
  bot_id: identity.botId,
  is_enterprise_install: false,
});

import type { Config } from '../config';
import type { OAuthClientConfig } from '../heroku/oauth';

/** Where Heroku sends the admin back after consent; register exactly this URL with the OAuth client. */
export function oauthCallbackUrl(config: Config): string {
  return `${config.publicUrl}/oauth/heroku/callback`;
}

/** The OAuth client from the configuration, or undefined when HEROKU_OAUTH_ID/SECRET are unset. */
export function oauthClientFromConfig(config: Config): OAuthClientConfig | undefined {
  const { oauthId, oauthSecret, oauthScope, idUrl } = config.heroku;
  if (!oauthId || !oauthSecret) return undefined;
  return { idUrl, clientId: oauthId, clientSecret: oauthSecret, scope: oauthScope };
}

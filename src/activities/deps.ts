import type { OutputStorage } from '../command-runs/output-storage';
import type { Config } from '../config';
import type { SecretBox } from '../crypto/secret-box';
import type { Db } from '../db/knex';
import { HerokuClient } from '../heroku/client';
import { integrationTokenSource } from '../heroku/integration-tokens';
import type { OAuthClientConfig } from '../heroku/oauth';
import type { Logger } from '../log';

/** Everything activities may touch. Built once per worker process and shared by all activities. */
export interface ActivityDeps {
  config: Config;
  db: Db;
  box: SecretBox;
  logger: Logger;
  /** Where command output is written (a thread of its own). */
  outputStorage: OutputStorage;
  /** A Platform API client acting for one integration (its tokens, refreshed as needed). */
  herokuFor(integrationId: string): HerokuClient;
  oauth(): OAuthClientConfig;
}

export class MissingOAuthClientError extends Error {
  override name = 'MissingOAuthClientError';
}

export function createActivityDeps(base: { config: Config; db: Db; box: SecretBox; logger: Logger; outputStorage: OutputStorage }): ActivityDeps {
  const oauth = (): OAuthClientConfig => {
    const { oauthId, oauthSecret, oauthScope, idUrl } = base.config.heroku;
    if (!oauthId || !oauthSecret) throw new MissingOAuthClientError('HEROKU_OAUTH_ID and HEROKU_OAUTH_SECRET are not configured');
    return { idUrl, clientId: oauthId, clientSecret: oauthSecret, scope: oauthScope };
  };
  return {
    ...base,
    oauth,
    herokuFor: (integrationId) =>
      new HerokuClient({
        apiUrl: base.config.heroku.apiUrl,
        tokens: integrationTokenSource({ db: base.db, box: base.box, oauth: oauth() }, integrationId),
        logger: base.logger.child({ integrationId }),
      }),
  };
}

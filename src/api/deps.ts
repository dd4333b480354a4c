import type { Client } from '@temporalio/client';
import type { Config } from '../config';
import type { SecretBox } from '../crypto/secret-box';
import type { Db } from '../db/knex';
import type { Logger } from '../log';

/** Everything API routes may use. Routes stay thin: validate, persist or start a workflow, answer. */
export interface ApiDeps {
  config: Config;
  db: Db;
  temporal: Client;
  box: SecretBox;
  logger: Logger;
}

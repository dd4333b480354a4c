import { utils as sshUtils } from 'ssh2';
import { sshPrivateKeyAad } from '../crypto/aad';
import type { SecretBox } from '../crypto/secret-box';
import type { Db } from '../db/knex';
import { HerokuApiError, type HerokuClient } from '../heroku/client';

// One SSH key pair per integration (README "On Fir"): made by dynopulse, the private key sealed at
// rest like the OAuth tokens, the public key registered on the Heroku account the first time a Fir
// run needs it (`POST /account/keys`, as `heroku keys:add`), removed again on disconnect.

interface KeyRow {
  integration_id: string;
  public_key: string;
  private_key_sealed: string;
  heroku_key_id: string | null;
}

interface AccountKey {
  id: string;
  public_key: string;
}

export interface IntegrationSshKey {
  publicKey: string;
  /** OpenSSH private key text; never logged. */
  privateKey: string;
}

const keyComment = (integrationId: string) => `dynopulse-${integrationId}`;
/** The key material of an OpenSSH public key line, without the comment. */
const keyMaterial = (line: string) => line.trim().split(/\s+/).slice(0, 2).join(' ');

/** The integration's key pair, created (once, whoever races) and registered on the account if it is not yet. */
export async function ensureIntegrationSshKey(deps: { db: Db; box: SecretBox }, heroku: HerokuClient, integrationId: string): Promise<IntegrationSshKey> {
  const { db, box } = deps;
  let row = await db<KeyRow>('integration_ssh_keys').where({ integration_id: integrationId }).first();
  if (!row) {
    const pair = sshUtils.generateKeyPairSync('ed25519', { comment: keyComment(integrationId) });
    await db('integration_ssh_keys')
      .insert({ integration_id: integrationId, public_key: pair.public.trim(), private_key_sealed: box.seal(pair.private, sshPrivateKeyAad(integrationId)) })
      .onConflict('integration_id')
      .ignore();
    row = await db<KeyRow>('integration_ssh_keys').where({ integration_id: integrationId }).first();
    if (!row) throw new Error(`the SSH key of integration ${integrationId} could not be stored`);
  }
  if (!row.heroku_key_id) {
    const id = await registerOnAccount(heroku, row.public_key);
    await db('integration_ssh_keys').where({ integration_id: integrationId }).update({ heroku_key_id: id, registered_at: db.fn.now() });
  }
  return { publicKey: row.public_key, privateKey: box.open(row.private_key_sealed, sshPrivateKeyAad(integrationId)) };
}

/** Registers the key, or finds it when an earlier attempt registered it and lost the answer. */
async function registerOnAccount(heroku: HerokuClient, publicKey: string): Promise<string> {
  const existing = async () => (await heroku.get<AccountKey[]>('/account/keys')).find((k) => keyMaterial(k.public_key) === keyMaterial(publicKey));
  const found = await existing();
  if (found) return found.id;
  try {
    return (await heroku.post<AccountKey>('/account/keys', { public_key: publicKey })).id;
  } catch (err) {
    if (err instanceof HerokuApiError && err.status === 422) {
      const again = await existing();
      if (again) return again.id;
    }
    throw err;
  }
}

/** Disconnect: the key leaves the Heroku account (if it was registered) and the database. */
export async function removeIntegrationSshKey(db: Db, heroku: HerokuClient, integrationId: string): Promise<void> {
  const row = await db<KeyRow>('integration_ssh_keys').where({ integration_id: integrationId }).first();
  if (!row) return;
  if (row.heroku_key_id) {
    try {
      await heroku.delete(`/account/keys/${encodeURIComponent(row.heroku_key_id)}`);
    } catch (err) {
      if (!(err instanceof HerokuApiError && err.status === 404)) throw err;
    }
  }
  await db('integration_ssh_keys').where({ integration_id: integrationId }).delete();
}

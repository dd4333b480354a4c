// What a Fir-generation app has that a Cedar one does not (docs/heroku-fir.md): formation dynos
// named like Kubernetes pods (`web-848cd4f64d-pvpr2`), OCI images instead of slugs, and the SSH
// keys of the account (`/account/keys`) that run-inside sessions authenticate with.
import { createHash, randomBytes, randomUUID } from 'node:crypto';

export type FirDynoState = 'starting' | 'up' | 'down' | 'crashed';

/** A running dyno of a Fir app's formation (no one-off dynos: `heroku run` is unavailable on Fir). */
export interface FirDyno {
  readonly id: string;
  readonly name: string;
  readonly appId: string;
  readonly type: string;
  readonly command: string;
  readonly size: string;
  state: FirDynoState;
  releaseId: string;
  releaseVersion: number;
  readonly createdAt: Date;
}

/** An OCI image (Platform API `OCI Image`, changelog 3075); `GET …/oci-images/{id}` answers it in an array (pipelines/diff.js). */
export interface OciImage {
  readonly id: string;
  readonly appId: string;
  readonly commit: string;
  readonly commitDescription: string;
  readonly createdAt: Date;
}

/** An SSH public key of an account (`heroku keys:add` → `POST /account/keys`). */
export interface AccountKey {
  readonly id: string;
  readonly accountId: string;
  readonly publicKey: string;
  /** The key blob (base64-decoded second field), what SSH public-key auth compares. */
  readonly blob: Buffer;
  readonly comment: string;
  readonly fingerprint: string;
  readonly createdAt: Date;
}

const POD_HASH = 'abcdefghijklmnopqrstuvwxyz0123456789';
const podPart = (n: number) => Array.from(randomBytes(n), (b) => POD_HASH[b % POD_HASH.length]).join('');

/** `web-848cd4f64d-pvpr2`: process type, a 10-character ReplicaSet hash, a 5-character pod suffix. */
export function firDynoName(type: string): string {
  return `${type}-${podPart(10)}-${podPart(5)}`;
}

/** OpenSSH `SHA256:` fingerprint of a key blob. */
export function sshFingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

export class FirState {
  readonly dynos = new Map<string, FirDyno>();
  readonly ociImages = new Map<string, OciImage>();
  readonly keys = new Map<string, AccountKey>();

  dynosOf(appId: string): FirDyno[] {
    return [...this.dynos.values()].filter((d) => d.appId === appId);
  }

  keysOf(accountId: string): AccountKey[] {
    return [...this.keys.values()].filter((k) => k.accountId === accountId);
  }

  addDyno(input: { appId: string; type: string; command: string; releaseId: string; releaseVersion: number }): FirDyno {
    const dyno: FirDyno = { id: randomUUID(), name: firDynoName(input.type), size: 'Standard-1X', state: 'up', createdAt: new Date(), ...input };
    this.dynos.set(dyno.id, dyno);
    return dyno;
  }
}

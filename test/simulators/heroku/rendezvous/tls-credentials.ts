// The committed TEST-ONLY certificates of test/fixtures/tls (see generate.sh there). Their keys are
// public on purpose: they protect nothing. Clients trust the test CA through NODE_EXTRA_CA_CERTS,
// never by turning verification off (CONTRACT.md §2).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { RendezvousCertificate } from './types';

/** Walks up from this file (in `test/…` or in `dist/test/…`) to the folder holding the fixtures. */
function findTlsFixturesDir(): string {
  let dir = __dirname;
  for (;;) {
    const candidate = path.join(dir, 'test', 'fixtures', 'tls');
    if (existsSync(path.join(candidate, 'server.pem'))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`test/fixtures/tls not found above ${__dirname}`);
    dir = parent;
  }
}

/** Absolute path of the test CA certificate (what NODE_EXTRA_CA_CERTS should point at). */
export const TEST_CA_PATH: string = path.join(findTlsFixturesDir(), 'ca.pem');

export interface TlsKeyPair {
  cert: Buffer;
  key: Buffer;
}

/** Reads the certificate and key the listener presents. */
export function loadCertificate(which: RendezvousCertificate): TlsKeyPair {
  const dir = path.dirname(TEST_CA_PATH);
  const base = which === 'trusted' ? 'server' : 'untrusted';
  return {
    cert: readFileSync(path.join(dir, `${base}.pem`)),
    key: readFileSync(path.join(dir, `${base}.key`)),
  };
}

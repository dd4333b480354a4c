import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** A PEM file this test wrote: its path and its content. */
export interface PemFile {
  path: string;
  pem: string;
}

/**
 * Keys and certificates made at run time with the `openssl` binary (never committed): a test CA,
 * a server certificate it signed for 127.0.0.1 and localhost, a client certificate it signed, and
 * from another CA a client certificate the server must refuse. Removed by cleanup().
 */
export interface TestPki {
  dir: string;
  ca: PemFile;
  server: { cert: PemFile; key: PemFile };
  client: { cert: PemFile; key: PemFile };
  /** Signed by a CA the server does not trust. */
  strangerClient: { cert: PemFile; key: PemFile };
  /** A CA that signed nothing the server shows. */
  otherCa: PemFile;
  cleanup(): Promise<void>;
}

export async function makeTestPki(): Promise<TestPki> {
  const dir = await mkdtemp(path.join(tmpdir(), 'dynopulse-pki-'));
  const file = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => execFileAsync('openssl', args, { cwd: dir });
  const pem = async (name: string): Promise<PemFile> => ({ path: file(name), pem: await readFile(file(name), 'utf8') });

  const newCa = async (name: string, subject: string) => {
    await openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', subject, '-keyout', `${name}.key`, '-out', `${name}.pem`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  };
  const issue = async (name: string, ca: string, subject: string, ext: string) => {
    await writeFile(file(`${name}.ext`), ext);
    await openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', subject, '-keyout', `${name}.key`, '-out', `${name}.csr`);
    await openssl('x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-days', '2', '-extfile', `${name}.ext`, '-out', `${name}.pem`);
  };
  await newCa('ca', '/CN=dynopulse test CA');
  await newCa('other-ca', '/CN=some other CA');
  await issue('server', 'ca', '/CN=temporal.test', 'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:temporal.test\nextendedKeyUsage=serverAuth\n');
  await issue('client', 'ca', '/CN=dynopulse-worker', 'extendedKeyUsage=clientAuth\n');
  await issue('stranger', 'other-ca', '/CN=stranger', 'extendedKeyUsage=clientAuth\n');
  return {
    dir,
    ca: await pem('ca.pem'),
    otherCa: await pem('other-ca.pem'),
    server: { cert: await pem('server.pem'), key: await pem('server.key') },
    client: { cert: await pem('client.pem'), key: await pem('client.key') },
    strangerClient: { cert: await pem('stranger.pem'), key: await pem('stranger.key') },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

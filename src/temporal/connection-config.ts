import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { checkServerIdentity, connect as tlsConnect, createSecureContext, type ConnectionOptions as TlsConnectOptions } from 'node:tls';
import { Connection, type ConnectionOptions, type TLSConfig } from '@temporalio/client';
import { loadClientConfigProfile, type ClientConfigProfile, type ConfigDataSource } from '@temporalio/envconfig';
import type { NativeConnectionOptions } from '@temporalio/worker';
import { StartupError } from '../runtime/startup-error';

/**
 * How dynopulse reaches Temporal, loaded the way every Temporal tool loads it: the SDK's environment
 * configuration (`@temporalio/envconfig`), i.e. the TOML profile file the `temporal` CLI reads
 * (TEMPORAL_CONFIG_FILE, else ~/.config/temporalio/temporal.toml; profile TEMPORAL_PROFILE, else
 * "default"), overridden by TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS*,
 * TEMPORAL_GRPC_META_*. Every connection (API client, worker, Nexus worker, readiness, scripts)
 * is built from one of these.
 */
export interface TemporalConnectionSettings {
  /** host:port; undefined: nothing configured, `npm start` runs the embedded dev server. */
  address: string | undefined;
  namespace: string;
  /** TLS material, already read and checked; undefined: plain text. */
  tls: TLSConfig | undefined;
  apiKey: string | undefined;
  /** Extra gRPC headers (TEMPORAL_GRPC_META_*), keys lower-case. */
  metadata: Record<string, string> | undefined;
}

type TlsField = 'clientCert' | 'clientKey' | 'serverCACert';

/** Env var and TOML key of each TLS field, to name the setting an operator has to fix. */
const TLS_SETTINGS: Record<TlsField, { env: string; toml: string }> = {
  clientCert: { env: 'TEMPORAL_TLS_CLIENT_CERT', toml: 'client_cert' },
  clientKey: { env: 'TEMPORAL_TLS_CLIENT_KEY', toml: 'client_key' },
  serverCACert: { env: 'TEMPORAL_TLS_SERVER_CA_CERT', toml: 'server_ca_cert' },
};

/**
 * Loads and checks the settings. Throws StartupError naming the setting on a bad profile file, an
 * unknown profile, an unreadable or non-PEM certificate or key, a key that does not match its
 * certificate, or TLS settings without an address. Reads files; call once at start.
 */
export function loadTemporalConnectionSettings(rawEnv: NodeJS.ProcessEnv = process.env): TemporalConnectionSettings {
  const env = withoutEmptyTemporalVars(rawEnv);
  let profile: ClientConfigProfile;
  try {
    profile = loadClientConfigProfile({ overrideEnvVars: env, configFileStrict: true });
  } catch (err) {
    const message = (err as Error).message;
    if (/^Profile '.*' not found/.test(message)) throw new StartupError(`TEMPORAL_PROFILE: profile "${env.TEMPORAL_PROFILE}" is not in ${configFileName(env)}`);
    throw new StartupError(`${env.TEMPORAL_CONFIG_FILE ? 'TEMPORAL_CONFIG_FILE' : 'Temporal profile file'}: cannot read ${configFileName(env)}: ${message}`);
  }
  const where = (field: TlsField, kind: 'path' | 'data') =>
    env[`${TLS_SETTINGS[field].env}_${kind.toUpperCase()}`] !== undefined ? `${TLS_SETTINGS[field].env}_${kind.toUpperCase()}` : `tls.${TLS_SETTINGS[field].toml}_${kind} of profile "${env.TEMPORAL_PROFILE ?? 'default'}" in ${configFileName(env)}`;

  const address = profile.address;
  if (address !== undefined && !/^(\[[0-9A-Fa-f:.]+\]|[^\s:/[\]]+):\d{1,5}$/.test(address)) {
    throw new StartupError(`${env.TEMPORAL_ADDRESS !== undefined ? 'TEMPORAL_ADDRESS' : `address of profile "${env.TEMPORAL_PROFILE ?? 'default'}" in ${configFileName(env)}`} must be host:port (e.g. temporal:7233), got "${address}"`);
  }
  const read = (field: TlsField): { pem: Buffer; setting: string } | undefined => {
    const source: ConfigDataSource | undefined = profile.tls?.[field];
    if (source === undefined) return undefined;
    if ('path' in source) {
      const setting = where(field, 'path');
      try {
        return { pem: readFileSync(source.path), setting };
      } catch (err) {
        throw new StartupError(`${setting}: cannot read ${source.path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
    }
    return { pem: Buffer.from(source.data), setting: where(field, 'data') };
  };

  let tls: TLSConfig | undefined;
  if (profile.tls !== undefined && profile.tls.disabled !== true) {
    if ((profile.tls.clientCert === undefined) !== (profile.tls.clientKey === undefined)) {
      const missing = profile.tls.clientCert === undefined ? 'TEMPORAL_TLS_CLIENT_CERT_PATH (or _DATA)' : 'TEMPORAL_TLS_CLIENT_KEY_PATH (or _DATA)';
      throw new StartupError(`${missing}: a client certificate and its private key must be set together (mTLS)`);
    }
    const cert = read('clientCert');
    const key = read('clientKey');
    const ca = read('serverCACert');
    if (ca) checkCertificate(ca);
    if (cert && key) {
      checkCertificate(cert);
      try {
        createPrivateKey(key.pem);
      } catch (err) {
        throw new StartupError(`${key.setting}: not a PEM private key (${(err as Error).message})`);
      }
      try {
        createSecureContext({ cert: cert.pem, key: key.pem });
      } catch (err) {
        throw new StartupError(`${key.setting}: the private key does not match the client certificate of ${cert.setting} (${(err as Error).message})`);
      }
    }
    tls = {
      serverNameOverride: profile.tls.serverName,
      serverRootCACertificate: ca?.pem,
      clientCertPair: cert && key ? { crt: cert.pem, key: key.pem } : undefined,
    };
  } else if (profile.apiKey !== undefined && profile.tls === undefined) {
    tls = {}; // An API key turns TLS on (as the SDK's toClientOptions does); TEMPORAL_TLS=false turns it off.
  }

  if (address === undefined && (tls !== undefined || profile.apiKey !== undefined)) {
    throw new StartupError('TEMPORAL_ADDRESS: TLS or an API key is configured but no address (set TEMPORAL_ADDRESS or the profile\'s address)');
  }
  return {
    address,
    namespace: profile.namespace ?? 'default',
    tls,
    apiKey: profile.apiKey,
    metadata: profile.grpcMeta && Object.keys(profile.grpcMeta).length > 0 ? profile.grpcMeta : undefined,
  };
}

/** The embedded dev server: plain text on loopback. */
export function devServerConnectionSettings(address: string, namespace: string): TemporalConnectionSettings {
  return { address, namespace, tls: undefined, apiKey: undefined, metadata: undefined };
}

/** Options for the client's `Connection.connect`. */
export function clientConnectionOptions(settings: TemporalConnectionSettings): ConnectionOptions {
  return { address: requireAddress(settings), tls: settings.tls, apiKey: settings.apiKey, metadata: settings.metadata };
}

/** Options for the worker's `NativeConnection.connect`. */
export function nativeConnectionOptions(settings: TemporalConnectionSettings): NativeConnectionOptions {
  return { address: requireAddress(settings), tls: settings.tls, apiKey: settings.apiKey, metadata: settings.metadata };
}

/** What the banner and logs may show: never the key or certificate material. */
export function describeSecurity(settings: TemporalConnectionSettings): string {
  if (!settings.tls) return 'plain text';
  const parts = ['TLS'];
  if (settings.tls.clientCertPair) parts.push('client certificate');
  if (settings.apiKey) parts.push('API key');
  return parts.join(' + ');
}

function requireAddress(settings: TemporalConnectionSettings): string {
  if (!settings.address) throw new Error('no Temporal address: the dev server was not started');
  return settings.address;
}

function checkCertificate(entry: { pem: Buffer; setting: string }): void {
  try {
    new X509Certificate(entry.pem);
  } catch (err) {
    throw new StartupError(`${entry.setting}: not a PEM certificate (${(err as Error).message})`);
  }
}

function configFileName(env: NodeJS.ProcessEnv): string {
  return env.TEMPORAL_CONFIG_FILE ?? '~/.config/temporalio/temporal.toml';
}

/**
 * Empty variables count as unset, as everywhere in dynopulse's config (compose files pass
 * `VAR: ${VAR:-}`): an empty TEMPORAL_API_KEY must not switch TLS on with an empty key. Empty
 * TEMPORAL_GRPC_META_* stay: envconfig reads them as "remove this header from the profile".
 */
function withoutEmptyTemporalVars(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue;
    if (value.trim() === '' && name.startsWith('TEMPORAL_') && !name.startsWith('TEMPORAL_GRPC_META_')) continue;
    out[name] = name.startsWith('TEMPORAL_GRPC_META_') ? value : value.trim();
  }
  return out;
}

/**
 * Connects once to the configured cluster before anything else runs, and turns a failure into one
 * StartupError naming the setting to fix: the server unreachable, not speaking TLS, a certificate
 * the client does not trust (CA, server name), a client certificate the server refuses, an API key
 * refused, a namespace missing. Never retries: a wrong setting does not heal by waiting.
 */
export async function verifyTemporalConnection(settings: TemporalConnectionSettings, timeoutMs = 10_000): Promise<void> {
  const address = requireAddress(settings);
  if (settings.tls) await probeTls(address, settings.tls, timeoutMs);
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ ...clientConnectionOptions(settings), connectTimeout: timeoutMs });
    await connection.withDeadline(Date.now() + timeoutMs, () => connection!.workflowService.describeNamespace({ namespace: settings.namespace }));
  } catch (err) {
    if (!settings.tls && grpcCode(err) !== 16 && grpcCode(err) !== 7 && grpcCode(err) !== 5 && (await speaksTls(address))) {
      throw new StartupError(`TEMPORAL_TLS: Temporal at ${address} answers with TLS, but no TLS setting is set: set TEMPORAL_TLS=true, and TEMPORAL_TLS_SERVER_CA_CERT_PATH and the client certificate (TEMPORAL_TLS_CLIENT_CERT_PATH, TEMPORAL_TLS_CLIENT_KEY_PATH) as the server needs`);
    }
    throw grpcFailure(settings, err);
  } finally {
    await connection?.close().catch(() => undefined);
  }
}

/** True when a TLS handshake with `address` gets as far as the server's certificate (whatever it is). */
function speaksTls(address: string): Promise<boolean> {
  const { host, port } = splitAddress(address);
  return new Promise<boolean>((resolve) => {
    const socket = tlsConnect({ host, port, servername: isIP(host) ? undefined : host, rejectUnauthorized: false, ALPNProtocols: ['h2'] });
    const done = (answer: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(() => done(false), 3_000);
    socket.once('secureConnect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function grpcFailure(settings: TemporalConnectionSettings, err: unknown): StartupError {
  const code = grpcCode(err);
  const detail = (err as Error).message;
  const who = settings.apiKey ? 'TEMPORAL_API_KEY' : settings.tls?.clientCertPair ? 'TEMPORAL_TLS_CLIENT_CERT_PATH' : 'TEMPORAL_ADDRESS';
  switch (code) {
    case 16:
      return new StartupError(`${who}: Temporal at ${settings.address} refused the credentials (unauthenticated: ${detail})`);
    case 7:
      return new StartupError(`${who}: Temporal at ${settings.address} refused access to namespace "${settings.namespace}" (permission denied: ${detail})`);
    case 5:
      return new StartupError(`TEMPORAL_NAMESPACE: namespace "${settings.namespace}" does not exist on Temporal at ${settings.address}`);
    default:
      return new StartupError(`TEMPORAL_ADDRESS: cannot reach Temporal at ${settings.address} (${describeSecurity(settings)}): ${detail}`);
  }
}

function grpcCode(err: unknown): number | undefined {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'number') return code;
  }
  return undefined;
}

/**
 * A TLS handshake with the same material the SDK uses, then the HTTP/2 preface, waiting for the
 * server's first bytes: under TLS 1.3 a refused client certificate arrives as an alert only after
 * the client finished its side of the handshake.
 */
function probeTls(address: string, tls: TLSConfig, timeoutMs: number): Promise<void> {
  const { host, port } = splitAddress(address);
  const serverName = tls.serverNameOverride ?? (isIP(host) ? undefined : host);
  const options: TlsConnectOptions = {
    host,
    port,
    servername: serverName,
    ALPNProtocols: ['h2'],
    ca: tls.serverRootCACertificate ? [Buffer.from(tls.serverRootCACertificate)] : undefined,
    cert: tls.clientCertPair ? Buffer.from(tls.clientCertPair.crt) : undefined,
    key: tls.clientCertPair ? Buffer.from(tls.clientCertPair.key) : undefined,
  };
  if (tls.serverNameOverride) {
    // Checked against the override, as the SDK does, not against the address's host.
    options.checkServerIdentity = (_host, cert) => checkServerIdentity(tls.serverNameOverride as string, cert);
  }
  return new Promise<void>((resolve, reject) => {
    const socket = tlsConnect(options);
    const fail = (err: Error) => {
      socket.destroy();
      reject(tlsFailure(address, tls, err));
    };
    const timer = setTimeout(() => fail(Object.assign(new Error(`no TLS answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })), timeoutMs);
    socket.once('error', (err) => {
      clearTimeout(timer);
      fail(err);
    });
    socket.once('secureConnect', () => {
      // Client preface and an empty SETTINGS frame: a gRPC server answers with its SETTINGS.
      socket.write(Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0])]));
    });
    socket.once('data', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve();
    });
    socket.once('end', () => {
      clearTimeout(timer);
      // The TLS alert that explains a close may be reported just after it: give it a moment.
      setTimeout(() => fail(new Error('the server closed the connection after the TLS handshake')), 100);
    });
  });
}

function tlsFailure(address: string, tls: TLSConfig, err: Error): StartupError {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  const ca = tls.serverRootCACertificate ? 'TEMPORAL_TLS_SERVER_CA_CERT_PATH' : 'TEMPORAL_TLS_SERVER_CA_CERT_PATH (unset: the system CAs)';
  const untrusted = ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_GET_ISSUER_CERT', 'CERT_SIGNATURE_FAILURE', 'CERT_UNTRUSTED'];
  if (untrusted.includes(code)) return new StartupError(`${ca}: the TLS certificate of Temporal at ${address} is not signed by a trusted CA (${err.message})`);
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return new StartupError(`TEMPORAL_TLS_SERVER_NAME: the TLS certificate of Temporal at ${address} is not valid for this name (${err.message})`);
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') return new StartupError(`${ca}: the TLS certificate of Temporal at ${address} is not valid now (${err.message})`);
  if (/ALERT_(CERTIFICATE_REQUIRED|BAD_CERTIFICATE|UNKNOWN_CA|CERTIFICATE_UNKNOWN|CERTIFICATE_REVOKED|CERTIFICATE_EXPIRED|UNSUPPORTED_CERTIFICATE|ACCESS_DENIED|HANDSHAKE_FAILURE)/.test(code)) {
    return tls.clientCertPair
      ? new StartupError(`TEMPORAL_TLS_CLIENT_CERT_PATH: Temporal at ${address} refused the client certificate (TLS alert ${code})`)
      : new StartupError(`TEMPORAL_TLS_CLIENT_CERT_PATH: Temporal at ${address} requires a client certificate (mTLS); set TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH (TLS alert ${code})`);
  }
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG' || /wrong version number|packet length too long/.test(err.message)) {
    return new StartupError(`TEMPORAL_TLS: Temporal at ${address} does not speak TLS (TLS is on because of TEMPORAL_TLS, a TLS setting or TEMPORAL_API_KEY)`);
  }
  if (code === 'ECONNRESET' || /closed the connection/.test(err.message)) {
    // A server that hangs up on a client certificate it checked has refused it.
    return tls.clientCertPair
      ? new StartupError(`TEMPORAL_TLS_CLIENT_CERT_PATH: Temporal at ${address} refused the client certificate (it closed the connection during the TLS handshake: ${err.message})`)
      : new StartupError(`TEMPORAL_TLS_CLIENT_CERT_PATH: Temporal at ${address} closed the connection during the TLS handshake; does it require a client certificate (mTLS)? (${err.message})`);
  }
  return new StartupError(`TEMPORAL_ADDRESS: cannot reach Temporal at ${address} over TLS: ${code ? `${code} ` : ''}${err.message}`);
}

function splitAddress(address: string): { host: string; port: number } {
  const i = address.lastIndexOf(':');
  return { host: address.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(address.slice(i + 1)) };
}

/**
 * `env` with every Temporal connection setting removed, and no profile file (one that does not
 * exist counts as none): for processes that must use the embedded dev server whatever the
 * developer's shell or ~/.config/temporalio/temporal.toml points at (`npm run sandbox`).
 */
export function withoutTemporalConnectionEnv(env: NodeJS.ProcessEnv, missingProfileFile: string): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(env)) {
    if (/^TEMPORAL_(ADDRESS|NAMESPACE|API_KEY|TLS|TLS_.+|GRPC_META_.+|PROFILE|CONFIG_FILE|CODEC_.+)$/.test(name)) continue;
    out[name] = value;
  }
  return { ...out, TEMPORAL_CONFIG_FILE: missingProfileFile };
}

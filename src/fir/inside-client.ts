import { createHash } from 'node:crypto';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import { Client, type ClientChannel } from 'ssh2';
import type { OutputSink } from '../rendezvous/client';

// Runs a command inside a Fir dyno as `heroku run:inside` does (docs/heroku-fir.md, lib/run/dyno.js):
// an HTTPS request to the attach URL with `Connection: Upgrade`, `Upgrade: tcp`, then SSH through
// the upgraded connection with the integration's key, and a `shell` request (the command itself was
// given to `POST /apps/{app}/dynos/{dyno}`). Unlike the CLI this verifies the TLS certificate (a
// private CA comes in through NODE_EXTRA_CA_CERTS) and never spawns `ssh`.

/** The attach URL answered something other than the upgrade. */
export class InsideAttachRefusedError extends Error {
  override name = 'InsideAttachRefusedError';
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** The dyno's SSH server did not accept the integration's key. */
export class InsideAuthError extends Error {
  override name = 'InsideAuthError';
}

export interface InsideConnectOptions {
  privateKey: string;
  signal: AbortSignal;
  /** Upgrade plus SSH handshake and authentication; default 30 s. */
  timeoutMs?: number;
}

export interface InsideConnection {
  /** `SHA256:…` of the dyno's SSH host key (recorded; nothing publishes it to pin against). */
  readonly hostKeyFingerprint: string;
  /** Opens the shell: from here on the command runs. Call once, after recording that it will. */
  start(): Promise<InsideSession>;
  close(): void;
}

export interface InsideSession {
  /** Ends the command: an SSH `KILL` signal request, then the connection is closed. */
  readonly socket: { destroy(): void };
  /** stdout and stderr into `sink` until the session ends; `broken` when the connection failed instead. */
  pipeOutput(sink: OutputSink): Promise<{ broken: boolean }>;
  /** The SSH exit-status the server sent, if any (the marker in the output is what counts). */
  readonly sshExit: () => number | null;
}

export async function connectInside(attachUrl: string, options: InsideConnectOptions): Promise<InsideConnection> {
  const url = new URL(attachUrl);
  if (url.protocol !== 'https:') throw new Error(`unsupported run-inside attach URL scheme ${url.protocol} (only https:// is used)`);
  const timeoutMs = options.timeoutMs ?? 30_000;
  const socket = await upgrade(url, options.signal, timeoutMs);
  const client = new Client();
  let hostKeyFingerprint = '';
  let failure: Error | undefined;
  client.on('error', (err) => (failure = err));
  await new Promise<void>((resolve, reject) => {
    const abort = () => {
      client.destroy();
      reject(options.signal.reason);
    };
    options.signal.addEventListener('abort', abort, { once: true });
    client.once('ready', () => {
      options.signal.removeEventListener('abort', abort);
      resolve();
    });
    client.once('error', (err: Error & { level?: string }) => {
      options.signal.removeEventListener('abort', abort);
      client.destroy();
      socket.destroy();
      reject(err.level === 'client-authentication' ? new InsideAuthError("the dyno's SSH server refused the integration's key (is it still registered on the Heroku account?)") : err);
    });
    client.connect({
      sock: socket,
      username: 'dynopulse', // inferred: the CLI's ssh sends the local user name, and any is accepted
      privateKey: options.privateKey,
      readyTimeout: timeoutMs,
      keepaliveInterval: 20_000, // the CLI's -oServerAliveInterval=20
      hostVerifier: (key: Buffer) => {
        hostKeyFingerprint = `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
        return true;
      },
    });
  });

  return {
    hostKeyFingerprint,
    close: () => client.end(),
    start: () =>
      new Promise<InsideSession>((resolve, reject) => {
        client.shell(false, (err, channel) => (err ? reject(err) : resolve(sessionOf(client, channel, () => failure))));
      }),
  };
}

function sessionOf(client: Client, channel: ClientChannel, failure: () => Error | undefined): InsideSession {
  let exitCode: number | null = null;
  channel.on('exit', (code: number | null) => (exitCode = typeof code === 'number' ? code : null));
  // The command gets no input: end its stdin.
  channel.end();
  let destroyed = false;
  return {
    sshExit: () => exitCode,
    socket: {
      destroy: () => {
        if (destroyed) return;
        destroyed = true;
        sendKill(channel);
        client.end();
      },
    },
    pipeOutput: (sink) =>
      new Promise((resolve, reject) => {
        let settled = false;
        const settle = (fn: () => void) => {
          if (settled) return;
          settled = true;
          fn();
        };
        const onData = (bytes: Buffer) => {
          try {
            if (!sink.write(bytes)) {
              channel.pause();
              channel.stderr.pause();
              sink.drain().then(
                () => {
                  channel.resume();
                  channel.stderr.resume();
                },
                (e: unknown) => {
                  client.destroy();
                  settle(() => reject(e));
                },
              );
            }
          } catch (e) {
            client.destroy();
            settle(() => reject(e));
          }
        };
        channel.on('data', onData);
        channel.stderr.on('data', onData);
        channel.on('close', () => settle(() => resolve({ broken: failure() !== undefined })));
        client.on('close', () => settle(() => resolve({ broken: !destroyed })));
      }),
  };
}

/**
 * RFC 4254 §6.9 allows a `signal` request after EOF, but ssh2's `channel.signal()` sends nothing
 * once the channel is half-closed (and we send EOF at once: the command gets no input). So the
 * request goes through the channel's protocol object, as `signal()` itself does.
 */
function sendKill(channel: ClientChannel): void {
  const internals = channel as unknown as { outgoing?: { id?: number; state?: string }; _client?: { _protocol?: { signal(id: number, name: string): void } } };
  const id = internals.outgoing?.id;
  const state = internals.outgoing?.state;
  try {
    if (id !== undefined && (state === 'open' || state === 'eof')) internals._client?._protocol?.signal(id, 'KILL');
  } catch {
    // the connection is gone already: nothing to signal
  }
}

/** The HTTP Upgrade (`Connection: Upgrade`, `Upgrade: tcp`) that turns the attach URL's connection into a byte pipe. */
function upgrade(url: URL, signal: AbortSignal, timeoutMs: number): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const req = https.request({
      method: 'GET',
      hostname: url.hostname,
      port: url.port || 443,
      path: `${url.pathname}${url.search}`,
      headers: { Connection: 'Upgrade', Upgrade: 'tcp' },
      signal,
      timeout: timeoutMs,
    });
    req.on('timeout', () => req.destroy(new Error(`the run-inside attach URL did not answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.on('response', (res) => {
      res.resume();
      const why =
        res.statusCode === 403
          ? "Heroku refused the connection to the dyno: this space cannot be reached from dynopulse's IP address (trusted IP ranges)"
          : `the run-inside attach URL answered ${res.statusCode ?? 0} instead of upgrading the connection (already used or expired)`;
      reject(new InsideAttachRefusedError(why, res.statusCode ?? 0));
    });
    req.on('upgrade', (_res, socket, head) => {
      if (head.length > 0) socket.unshift(head);
      resolve(socket);
    });
    req.end();
  });
}

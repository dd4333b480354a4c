// The simulated Rendezvous endpoint (heroku.md §7) and the one-off dyno runner behind it.
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import tls, { type TLSSocket } from 'node:tls';
import { DynoProcessSession } from './dyno-session';
import { readSecretLine } from './secret-line';
import { loadCertificate } from './tls-credentials';
import type { DynoProcessSpec, DynoSession, RendezvousFaults, RendezvousServerOptions } from './types';

/** How long a fresh connection may take to send its secret line before it is dropped. */
const SECRET_LINE_TIMEOUT_MS = 10_000;

/**
 * A TLS Rendezvous server on 127.0.0.1 (random port) that runs simulated one-off dynos as local
 * `bash -c` process groups and streams their output to the one client that presents the dyno's
 * secret — strictly as heroku.md §7 describes, so a sloppy client fails here as it would on Heroku.
 *
 * ```ts
 * const rendezvous = await RendezvousServer.start();
 * const dyno = rendezvous.createSession({ dynoId, dynoName: 'run.1234', command: 'echo hi',
 *   env: {}, timeToLiveSeconds: 1800, forceNoTty: true, attach: true });
 * // give dyno.attachUrl to the client under test, then:
 * await dyno.ended; dyno.exitCode; dyno.output();
 * await rendezvous.close();
 * ```
 *
 * Protocol: TLS with the committed test certificate; the client writes `<path-without-slash><query>\r\n`;
 * a wrong, reused or malformed secret gets the connection closed without a byte. Then the process
 * starts, the server writes `rendezvous\r\n`, then raw merged stdout/stderr ("\n" -> "\r\n" unless
 * `forceNoTty`), and closes the connection when the process is gone. Client bytes go to stdin;
 * `\x04` ends stdin, `\x03` / `\x1c` send SIGINT / SIGQUIT to the process group. A client that
 * disconnects ends the dyno (SIGHUP, then SIGKILL after `stopGraceMs`).
 */
export class RendezvousServer {
  /** Faults applied to sessions created from now on (each session keeps the faults it was created with). */
  faults: RendezvousFaults;
  /** Host name used in attach URLs. */
  readonly host: string;

  private readonly allSessions = new Map<string, DynoProcessSession>();
  private readonly sessionsBySecret = new Map<string, DynoProcessSession>();
  private readonly sockets = new Set<TLSSocket>();
  private closing: Promise<void> | null = null;

  private constructor(
    private readonly listener: tls.Server,
    private readonly options: RendezvousServerOptions,
  ) {
    this.host = options.host ?? 'localhost';
    this.faults = { ...options.faults };
    listener.on('secureConnection', (socket: TLSSocket) => void this.onConnection(socket));
    listener.on('tlsClientError', () => {
      // A client that refused our certificate (or spoke no TLS): nothing to clean up.
    });
  }

  /** Starts listening on 127.0.0.1 with a random port. */
  static async start(options: RendezvousServerOptions = {}): Promise<RendezvousServer> {
    const listener = tls.createServer({ ...loadCertificate(options.certificate ?? 'trusted') });
    await new Promise<void>((resolve, reject) => {
      listener.once('error', reject);
      listener.listen(0, '127.0.0.1', () => {
        listener.off('error', reject);
        resolve();
      });
    });
    return new RendezvousServer(listener, options);
  }

  /** The TCP port the listener is bound to on 127.0.0.1. */
  get port(): number {
    const address = this.listener.address();
    if (address === null || typeof address === 'string') throw new Error('rendezvous listener is not bound');
    return address.port;
  }

  /** Every session created so far (ended ones included, until close), by dynoId. */
  get sessions(): ReadonlyMap<string, DynoSession> {
    return this.allSessions;
  }

  /**
   * Creates a one-off dyno. Attached dynos wait for their client (state `starting`) and get an
   * attach URL; detached ones start at once. Called by the Platform API simulator's
   * `POST /apps/{app}/dynos` (heroku.md §6.1).
   */
  createSession(spec: DynoProcessSpec): DynoSession {
    if (this.closing) throw new Error('the rendezvous server is closed');
    if (!spec.dynoId) throw new TypeError('dynoId is required');
    if (this.allSessions.has(spec.dynoId)) throw new TypeError(`dyno ${spec.dynoId} already exists`);
    if (typeof spec.command !== 'string' || spec.command.length === 0) throw new TypeError('command is required');
    // A NUL cannot reach a real process either (argv and environ are C strings); spawn would throw later.
    if (spec.command.includes('\0')) throw new TypeError('command must not contain NUL');
    for (const [name, value] of Object.entries(spec.env)) {
      if (typeof value !== 'string' || `${name}${value}`.includes('\0') || name.includes('=') || name === '') {
        throw new TypeError(`env ${JSON.stringify(name)} must be a string without NUL`);
      }
    }
    if (!Number.isFinite(spec.timeToLiveSeconds) || spec.timeToLiveSeconds <= 0) {
      throw new TypeError('timeToLiveSeconds must be a positive number');
    }
    const faults = { ...this.faults };
    let secret: string | null = null;
    if (spec.attach) {
      secret = randomBytes(24).toString('hex');
      if (faults.queryInAttachUrl) secret += `?sig=${randomBytes(8).toString('hex')}`;
    }
    const session = new DynoProcessSession({
      spec: { ...spec, env: { ...spec.env } },
      attachUrl: secret === null ? null : `rendezvous://${this.host}:${this.port}/${secret}`,
      faults,
      keepOutput: this.options.keepOutput ?? true,
      attachTimeoutMs: this.options.attachTimeoutMs ?? 60_000,
      stopGraceMs: this.options.stopGraceMs ?? 2_000,
    });
    this.allSessions.set(spec.dynoId, session);
    if (secret !== null) {
      this.sessionsBySecret.set(secret, session);
      void session.ended.then(() => this.sessionsBySecret.delete(secret));
    }
    return session;
  }

  /** Kills every process (SIGKILL), closes every socket and the listener, removes the work dirs. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    const listenerClosed = new Promise<void>((resolve) => this.listener.close(() => resolve()));
    await Promise.all([...this.allSessions.values()].map((session) => session.kill()));
    for (const socket of this.sockets) socket.destroy();
    await listenerClosed;
    await Promise.all(
      [...this.allSessions.values()].map((session) => rm(session.workdir, { recursive: true, force: true })),
    );
  }

  private async onConnection(socket: TLSSocket): Promise<void> {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => {
      // Resets and aborted handshakes end in 'close', which is what the session acts on.
    });
    if (this.closing) {
      socket.destroy();
      return;
    }
    const line = await readSecretLine(socket, SECRET_LINE_TIMEOUT_MS);
    const session = line ? this.sessionsBySecret.get(line.secret) : undefined;
    if (!line || !session || !session.awaitingAttach || this.closing) {
      // Closed without a byte: the real reaction is undocumented (heroku.md §7.3 only gives the
      // happy path), and silence is what a client must be ready for.
      socket.destroy();
      return;
    }
    // One attachment per dyno: the secret is spent now.
    this.sessionsBySecret.delete(line.secret);
    session.attach(socket, line.rest);
  }
}

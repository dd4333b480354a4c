// Public shapes of the simulated Rendezvous server. The Heroku Platform API simulator's
// `POST /apps/{app}/dynos` handler builds a DynoProcessSpec and calls RendezvousServer.createSession;
// keep these names stable (brief: sim-rendezvous).

/** What the Platform API simulator asks the dyno runner to start (heroku.md §6.1). */
export interface DynoProcessSpec {
  /** uuid, minted by the API simulator. */
  dynoId: string;
  /** e.g. "run.1234". Also exported to the process as `DYNO`, like on a real dyno. */
  dynoName: string;
  /** The command string as POSTed; run with `bash -c <command>`. */
  command: string;
  /** App config vars merged with the request's `env` (heroku.md §6.1 `env`). */
  env: Record<string, string>;
  /** SIGKILL the process group this many seconds after creation (fractions allowed for tests). */
  timeToLiveSeconds: number;
  /** false: emulate a TTY's output translation ("\n" -> "\r\n"), heroku.md §7.5. */
  forceNoTty: boolean;
  /** false: run immediately, detached, output only captured (heroku.md §6.1 `attach`). */
  attach: boolean;
}

/** Dyno states as the Platform API reports them (heroku.md §6.1 `state`; `idle` is not simulated). */
export type DynoState = 'starting' | 'up' | 'down' | 'crashed';

/**
 * Why a session ended.
 * - `exited`: the process ended by itself.
 * - `stopped`: `stop()` (POST …/actions/stop) or the server's `close()`.
 * - `ttl`: `time_to_live` expired.
 * - `disconnected`: the attached client closed the connection (heroku.md §6.2).
 * - `attach_timeout`: nobody attached within `attachTimeoutMs` (Heroku error R13, not in heroku.md).
 */
export type DynoEndReason = 'exited' | 'stopped' | 'ttl' | 'disconnected' | 'attach_timeout';

/** One simulated one-off dyno: its process, its attach secret, its captured output. */
export interface DynoSession {
  readonly spec: DynoProcessSpec;
  /** "rendezvous://<host>:<port>/<secret>" when `spec.attach`, else null (heroku.md §6.1 `attach_url`). */
  readonly attachUrl: string | null;
  /** starting (not attached yet), up (process running), down/crashed (ended: exit 0 / anything else). */
  readonly state: DynoState;
  /** Fresh temp dir, the process's cwd and HOME; removed by RendezvousServer.close(). */
  readonly workdir: string;
  /** null until ended, or if the process was killed by a signal, or never ran. */
  readonly exitCode: number | null;
  /** The signal that killed the process, if any. */
  readonly signal: NodeJS.Signals | null;
  readonly endReason: DynoEndReason | null;
  /** pid of the process group leader (`bash`), null before the process starts. */
  readonly pid: number | null;
  /** Bytes the process wrote so far (counted even when output is not kept). */
  readonly outputBytes: number;
  /**
   * Everything the process wrote (stdout+stderr merged), as the process wrote it: before any TTY
   * translation or fault. Throws when the server runs with `keepOutput: false`.
   */
  output(): Buffer;
  /**
   * Resolves once `output()` contains `text` (e.g. a "ready" line of a detached dyno); rejects if
   * the session ends first. Needs keepOutput.
   */
  waitForOutput(text: string | Buffer): Promise<void>;
  /** Resolves when the process and its whole process group are gone and the output is flushed. */
  readonly ended: Promise<void>;
  /** POST …/actions/stop: SIGTERM the process group, SIGKILL after `stopGraceMs`; resolves when gone. */
  stop(): Promise<void>;
}

/** Deliberate deviations, to prove clients cope with what the real service does on a bad day. */
export interface RendezvousFaults {
  /** Delay before sending "rendezvous\r\n" (real: ~2 s, heroku.md §7.4). Default 0. */
  handshakeDelayMs?: number;
  /** Write N "\0" bytes right after the handshake line (seen in CI, heroku.md §7 pitfalls). */
  leadingNuls?: number;
  /** Re-chunk output into writes of at most N bytes (split exit-status markers, heroku.md §7 pitfalls). */
  chunkSize?: number;
  /** Destroy the client socket after N output bytes; the process keeps running. */
  dropAfterBytes?: number;
  /**
   * Mint attach URLs with a query string (`?sig=…`) that is part of the secret. heroku.md §7.3 says
   * the client must send path + query; real URLs seen so far have none, so this is off by default.
   */
  queryInAttachUrl?: boolean;
}

/** Which committed TEST-ONLY certificate the TLS listener presents (test/fixtures/tls). */
export type RendezvousCertificate =
  /** `server.pem`, signed by the test CA `ca.pem` (trusted through NODE_EXTRA_CA_CERTS). */
  | 'trusted'
  /** `untrusted.pem`, self-signed: a verifying client must refuse it. */
  | 'untrusted';

export interface RendezvousServerOptions {
  /** Host name used in attach URLs; default "localhost" (the cert covers localhost, rendezvous.localhost, 127.0.0.1). */
  host?: string;
  /** A session nobody attaches to ends ('attach_timeout'); default 60_000. */
  attachTimeoutMs?: number;
  /** Grace between SIGTERM (stop) or SIGHUP (disconnect) and SIGKILL; default 2_000. */
  stopGraceMs?: number;
  /** Defaults for every session created afterwards; can be changed later via `server.faults`. */
  faults?: RendezvousFaults;
  /** Keep every session's output in memory for `output()`; default true. Benchmarks turn it off. */
  keepOutput?: boolean;
  /** Certificate presented by the listener; default 'trusted'. */
  certificate?: RendezvousCertificate;
}

// The run-inside side of a Fir dyno (docs/heroku-fir.md): an HTTPS listener whose attach URLs
// take one HTTP Upgrade (`Connection: Upgrade`, `Upgrade: tcp`), after which the connection speaks
// SSH (an `ssh2` Server). Only public keys registered on the account that made the run-inside call
// are accepted; a `shell` request runs the posted command with `bash -c` (the CLI's ssh sends no
// remote command), stdout and stderr on the channel, until it ends. Inferred where the CLI is
// silent: any user name, one session per attach URL, a hang-up ends the command (SIGHUP).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Server as SshServer, utils as sshUtils, type ServerChannel } from 'ssh2';
import { loadCertificate } from '../rendezvous/tls-credentials';
import { killProcessGroupAndWait, signalProcessGroup } from '../rendezvous/process-group';
import { sshFingerprint, type AccountKey } from './fir-state';

export type InsideEndReason = 'exited' | 'signal' | 'hangup' | 'dyno_restarted' | 'never_connected';

export interface InsideSessionSpec {
  appName: string;
  dynoName: string;
  command: string;
  env: Record<string, string>;
  /** The keys the session may authenticate with (the posting account's, read at connect time). */
  keys: () => AccountKey[];
}

/** One run-inside session: what a test checks. */
export interface InsideSession {
  readonly spec: InsideSessionSpec;
  readonly attachUrl: string;
  /** Set once the command started (the shell request). */
  startedAt: Date | null;
  username: string | null;
  /** Fingerprint of the key the client authenticated with. */
  keyFingerprint: string | null;
  exitCode: number | null;
  endReason: InsideEndReason | null;
  /** SSH `signal` requests received (e.g. `KILL` at the TTL). */
  readonly signals: string[];
  /** stdout and stderr as the command wrote them. */
  output(): Buffer;
  readonly ended: Promise<void>;
}

interface SessionInternals extends InsideSession {
  secret: string;
  chunks: Buffer[];
  child: ChildProcess | null;
  end(reason: InsideEndReason): void;
  close: (() => void) | null;
}

export class InsideServer {
  readonly sessions: InsideSession[] = [];
  /** The SSH host key's fingerprint, as a client sees it. */
  readonly hostKeyFingerprint: string;
  private readonly bySecret = new Map<string, SessionInternals>();
  /** Upgraded connections: no longer the HTTP server's to close. */
  private readonly upgraded = new Set<Socket>();
  private readonly hostKey: string;
  private readonly launcherDir: string;

  private constructor(
    private readonly listener: https.Server,
    private readonly port: number,
  ) {
    const pair = sshUtils.generateKeyPairSync('ed25519');
    this.hostKey = pair.private;
    const parsed = sshUtils.parseKey(pair.public);
    if (parsed instanceof Error) throw parsed;
    this.hostKeyFingerprint = sshFingerprint(parsed.getPublicSSH());
    // CNB images put `launcher` on PATH; it sets up the buildpack environment and execs the command.
    this.launcherDir = mkdtempSync(path.join(tmpdir(), 'sim-fir-launcher-'));
    writeFileSync(path.join(this.launcherDir, 'launcher'), '#!/bin/bash\nexport CNB_LAUNCHED=1\nexec "$@"\n');
    chmodSync(path.join(this.launcherDir, 'launcher'), 0o755);
    listener.on('upgrade', (req, socket: Socket) => this.upgrade(req.url ?? '', req.headers, socket));
  }

  static async start(): Promise<InsideServer> {
    const { cert, key } = loadCertificate('trusted');
    const listener = https.createServer({ cert, key }, (_req, res) => {
      // Without the Upgrade headers there is nothing to talk to.
      res.writeHead(400, { 'content-type': 'text/plain' }).end('expected Connection: Upgrade, Upgrade: tcp\n');
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    return new InsideServer(listener, (listener.address() as AddressInfo).port);
  }

  createSession(spec: InsideSessionSpec): InsideSession {
    const secret = randomBytes(24).toString('hex');
    let resolveEnded!: () => void;
    const ended = new Promise<void>((resolve) => (resolveEnded = resolve));
    const session: SessionInternals = {
      spec,
      secret,
      attachUrl: `https://localhost:${this.port}/sessions/${secret}`,
      startedAt: null,
      username: null,
      keyFingerprint: null,
      exitCode: null,
      endReason: null,
      signals: [],
      chunks: [],
      output: () => Buffer.concat(session.chunks),
      ended,
      child: null,
      close: null,
      end: (reason) => {
        if (session.endReason) return;
        session.endReason = reason;
        this.bySecret.delete(secret);
        resolveEnded();
      },
    };
    this.bySecret.set(secret, session);
    this.sessions.push(session);
    // An attach URL nobody uses expires (inferred, like Rendezvous' R13).
    setTimeout(() => session.startedAt === null && session.end('never_connected'), 60_000).unref();
    return session;
  }

  /** The dyno restarts (a deploy, a crash): its sessions end without the command reporting anything. */
  async restartDyno(dynoName: string): Promise<void> {
    for (const s of [...this.bySecret.values()].filter((x) => x.spec.dynoName === dynoName)) {
      if (s.child?.pid) await killProcessGroupAndWait(s.child.pid).catch(() => undefined);
      s.end('dyno_restarted');
      s.close?.();
    }
  }

  async close(): Promise<void> {
    for (const s of [...this.bySecret.values()]) {
      if (s.child?.pid) await killProcessGroupAndWait(s.child.pid).catch(() => undefined);
      s.end('hangup');
      s.close?.();
    }
    for (const socket of this.upgraded) socket.destroy();
    this.listener.closeAllConnections();
    await new Promise<void>((resolve) => this.listener.close(() => resolve()));
    rmSync(this.launcherDir, { recursive: true, force: true });
  }

  private upgrade(url: string, headers: Record<string, string | string[] | undefined>, socket: Socket): void {
    const secret = /^\/sessions\/([0-9a-f]+)$/.exec(url)?.[1];
    const session = secret ? this.bySecret.get(secret) : undefined;
    const connection = String(headers['connection'] ?? '').toLowerCase();
    const upgrade = String(headers['upgrade'] ?? '').toLowerCase();
    if (!session || session.startedAt !== null || session.close !== null) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    if (!connection.split(',').map((s) => s.trim()).includes('upgrade') || upgrade !== 'tcp') {
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.upgraded.add(socket);
    socket.once('close', () => this.upgraded.delete(socket));
    socket.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n');
    const ssh = new SshServer({ hostKeys: [this.hostKey] }, (client) => {
      session.close = () => client.end();
      client.on('error', () => undefined);
      client.on('authentication', (ctx) => {
        if (ctx.method !== 'publickey') return ctx.reject(['publickey']);
        const key = session.spec.keys().find((k) => k.blob.equals(ctx.key.data));
        if (!key) return ctx.reject(['publickey']);
        if (!ctx.signature || !ctx.blob) return ctx.accept(); // the "would this key do?" query
        const parsed = sshUtils.parseKey(key.publicKey);
        if (parsed instanceof Error || parsed.verify(ctx.blob, ctx.signature, ctx.hashAlgo) !== true) return ctx.reject(['publickey']);
        session.username = ctx.username;
        session.keyFingerprint = key.fingerprint;
        ctx.accept();
      });
      client.on('session', (acceptSession) => {
        const sshSession = acceptSession();
        sshSession.on('pty', (accept) => accept?.());
        sshSession.on('env', (accept) => accept?.());
        sshSession.on('exec', (_accept, reject) => reject?.()); // inferred: the CLI never sends a command
        sshSession.on('signal', (accept, info) => {
          accept?.();
          session.signals.push(info.name);
          if (session.child?.pid) signalProcessGroup(session.child.pid, `SIG${info.name}` as NodeJS.Signals);
        });
        sshSession.on('shell', (accept, reject) => {
          if (session.startedAt !== null) return reject?.();
          this.run(session, accept());
        });
      });
      client.on('close', () => {
        // A hang-up: the command loses its session (inferred: SIGHUP, then it is gone).
        if (session.child?.pid && session.child.exitCode === null && session.child.signalCode === null) {
          signalProcessGroup(session.child.pid, 'SIGHUP');
          void killProcessGroupAndWait(session.child.pid).catch(() => undefined);
          session.end('hangup');
        } else if (session.startedAt === null) session.end('hangup');
      });
    });
    ssh.injectSocket(socket);
  }

  private run(session: SessionInternals, channel: ServerChannel): void {
    session.startedAt = new Date();
    const workdir = mkdtempSync(path.join(tmpdir(), 'sim-fir-dyno-'));
    const child = spawn('bash', ['-c', session.spec.command], {
      cwd: workdir,
      detached: true,
      env: { PATH: `${this.launcherDir}:${process.env['PATH'] ?? '/usr/bin:/bin'}`, HOME: workdir, ...session.spec.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    session.child = child;
    const keep = (chunk: Buffer) => void session.chunks.push(chunk);
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.stdout.pipe(channel, { end: false });
    child.stderr.pipe(channel.stderr, { end: false });
    channel.pipe(child.stdin).on('error', () => undefined);
    child.on('close', (code, signal) => {
      rmSync(workdir, { recursive: true, force: true });
      if (session.endReason) return;
      session.exitCode = code;
      if (code !== null) channel.exit(code);
      else channel.exit(signal ?? 'KILL', false, '');
      session.end(signal ? 'signal' : 'exited');
      // Hang up only once the channel has sent all it holds (the marker is the last line).
      channel.once('close', () => session.close?.());
      channel.end();
    });
  }
}

// One simulated one-off dyno: a `bash -c <command>` process group with a fresh working directory,
// its time_to_live, its stop action, and (when attached) the Rendezvous stream of one client.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { TLSSocket } from 'node:tls';
import { interpretClientInput } from './client-input';
import { DynoOutputSink, writeAndFlush } from './output-sink';
import { killProcessGroupAndWait, signalProcessGroup } from './process-group';
import type { DynoEndReason, DynoProcessSpec, DynoSession, DynoState, RendezvousFaults } from './types';

/** The handshake line the server sends once the dyno side is attached (heroku.md §7.4). */
export const HANDSHAKE_LINE = 'rendezvous\r\n';

const BASH = ['/bin/bash', '/usr/bin/bash', '/usr/local/bin/bash'].find((candidate) => existsSync(candidate)) ?? 'bash';

/**
 * The outer shell points stderr at the same pipe as stdout, then becomes `bash -c <command>`
 * (exec keeps the pid, so the group leader is the command's shell). One pipe for both streams
 * keeps their interleaving exactly as the process wrote it, as one TTY or socket would
 * (heroku.md §7.5: no stdout/stderr separation).
 */
const MERGE_STDERR_THEN_RUN = 'exec 2>&1; exec -a bash "$1" -c "$2"';

/** setTimeout's limit (~24.8 days); Heroku caps time_to_live at 86400 s anyway (heroku.md §6.1). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** The environment of a dyno process: a minimal PATH/HOME, DYNO, then config vars and request env. */
function dynoEnvironment(spec: DynoProcessSpec, workdir: string): NodeJS.ProcessEnv {
  return { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: workdir, DYNO: spec.dynoName, ...spec.env };
}

export interface DynoSessionSettings {
  spec: DynoProcessSpec;
  /** null for a detached dyno. */
  attachUrl: string | null;
  /** Faults in force for this session, fixed when it was created. */
  faults: RendezvousFaults;
  keepOutput: boolean;
  attachTimeoutMs: number;
  stopGraceMs: number;
}

type Phase =
  | 'awaiting-attach' // attached dyno, no client yet
  | 'running' // process started
  | 'ending' // group leader exited: tearing down the group, flushing output
  | 'ended';

/** Implementation of {@link DynoSession}; the server calls `attach` and `kill`, tests only see the interface. */
export class DynoProcessSession implements DynoSession {
  readonly spec: DynoProcessSpec;
  readonly attachUrl: string | null;
  readonly workdir: string;
  readonly ended: Promise<void>;

  private phase: Phase;
  private currentState: DynoState = 'starting';
  private processExitCode: number | null = null;
  private processSignal: NodeJS.Signals | null = null;
  private reason: DynoEndReason | null = null;
  private requestedEnd: DynoEndReason | null = null;
  private child: ChildProcess | null = null;
  private socket: TLSSocket | null = null;
  private socketDroppedByFault = false;
  private stdinOpen = false;
  private outputPump: Promise<void> | null = null;
  private groupGone = false;
  private killing = false;
  private readonly sink: DynoOutputSink;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly outputWaiters = new Set<() => void>();
  private resolveEnded!: () => void;
  /** Output may flow once the handshake line is out, or once there is no client to send it to. */
  private readonly outputMayFlow: Promise<void>;
  private releaseOutput!: () => void;

  constructor(private readonly settings: DynoSessionSettings) {
    this.spec = settings.spec;
    this.attachUrl = settings.attachUrl;
    this.workdir = mkdtempSync(path.join(tmpdir(), `dyno-${settings.spec.dynoName.replace(/[^\w.-]/g, '_')}-`));
    this.ended = new Promise((resolve) => (this.resolveEnded = resolve));
    this.outputMayFlow = new Promise((resolve) => (this.releaseOutput = resolve));
    this.sink = new DynoOutputSink(
      settings.keepOutput,
      {
        onFaultDrop: () => (this.socketDroppedByFault = true),
        onCaptured: () => this.checkOutputWaiters(),
      },
      this.outputMayFlow,
    );
    // time_to_live counts from creation, attached or not (heroku.md §6.1; kill behaviour §9.8 is U).
    this.later(Math.min(settings.spec.timeToLiveSeconds * 1000, MAX_TIMER_MS), () => this.expire());
    if (settings.spec.attach) {
      this.phase = 'awaiting-attach';
      this.later(settings.attachTimeoutMs, () => {
        if (this.phase === 'awaiting-attach') this.finishWithoutProcess('attach_timeout');
      });
    } else {
      // Detached: starts at once, output only captured (heroku.md §6.1 `attach: false`).
      this.phase = 'running';
      this.releaseOutput();
      this.startProcess(false);
    }
  }

  get state(): DynoState {
    return this.currentState;
  }
  get exitCode(): number | null {
    return this.processExitCode;
  }
  get signal(): NodeJS.Signals | null {
    return this.processSignal;
  }
  get endReason(): DynoEndReason | null {
    return this.reason;
  }
  get pid(): number | null {
    return this.child?.pid ?? null;
  }
  get outputBytes(): number {
    return this.sink.bytesFromProcess;
  }

  output(): Buffer {
    return this.sink.output();
  }

  waitForOutput(text: string | Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (this.sink.output().includes(text)) {
          this.outputWaiters.delete(check);
          resolve();
        } else if (this.phase === 'ended') {
          this.outputWaiters.delete(check);
          reject(new Error(`dyno ${this.spec.dynoName} ended without writing ${JSON.stringify(String(text))}`));
        }
      };
      this.outputWaiters.add(check);
      check();
    });
  }

  private checkOutputWaiters(): void {
    for (const check of this.outputWaiters) check();
  }

  /** True while the session waits for its one and only client. */
  get awaitingAttach(): boolean {
    return this.phase === 'awaiting-attach';
  }

  /**
   * The client presented this session's secret (heroku.md §7.3). Starts the process, sends the
   * handshake line after `handshakeDelayMs`, then streams output; `firstInput` is what the client
   * sent after the secret's CRLF in the same read.
   */
  attach(socket: TLSSocket, firstInput: Buffer): void {
    if (this.phase !== 'awaiting-attach') throw new Error(`dyno ${this.spec.dynoName} cannot be attached now`);
    this.phase = 'running';
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('close', () => this.onClientGone());
    this.startProcess(true);
    if (firstInput.length > 0) this.forwardInput(firstInput);
    socket.on('data', (chunk: Buffer) => this.forwardInput(chunk));
    socket.resume();
    const { handshakeDelayMs = 0, leadingNuls = 0, chunkSize, dropAfterBytes } = this.settings.faults;
    this.later(handshakeDelayMs, () => void this.sendHandshake(socket, leadingNuls, { chunkSize, dropAfterBytes }));
  }

  /**
   * The handshake line goes out as its own TLS record, as it arrives ~2 s before any output on the
   * real service (heroku.md §7.4): a client that discards the whole first chunk, like the CLI,
   * loses nothing here either. Leading NULs, when faulted, follow in a record of their own: the CI
   * trace shows them surviving that discard (heroku.md §7 pitfalls).
   */
  private async sendHandshake(socket: TLSSocket, leadingNuls: number, faults: RendezvousFaults): Promise<void> {
    if (!socket.destroyed) await writeAndFlush(socket, Buffer.from(HANDSHAKE_LINE));
    if (!socket.destroyed && leadingNuls > 0) await writeAndFlush(socket, Buffer.alloc(leadingNuls));
    if (!socket.destroyed) {
      this.sink.connect(socket, {
        translateNewlines: !this.spec.forceNoTty,
        chunkSize: faults.chunkSize,
        dropAfterBytes: faults.dropAfterBytes,
      });
    }
    this.releaseOutput();
  }

  /** POST …/actions/stop (heroku.md §6.2): SIGTERM the group, SIGKILL after the grace period. */
  stop(): Promise<void> {
    if (this.phase === 'awaiting-attach') this.finishWithoutProcess('stopped');
    else if (this.phase === 'running') this.endProcess('stopped', 'SIGTERM');
    return this.ended;
  }

  /** Server shutdown: SIGKILL at once, drop the client, resolve when everything is gone. */
  kill(): Promise<void> {
    this.killing = true;
    if (this.phase === 'awaiting-attach') this.finishWithoutProcess('stopped');
    else if (this.phase === 'running') this.endProcess('stopped', 'SIGKILL');
    this.socket?.destroy();
    if (this.groupGone) this.child?.stdout?.destroy();
    return this.ended;
  }

  private startProcess(attached: boolean): void {
    let child: ChildProcess;
    try {
      child = spawn(BASH, ['-c', MERGE_STDERR_THEN_RUN, 'rendezvous-dyno', BASH, this.spec.command], {
        cwd: this.workdir,
        env: dynoEnvironment(this.spec, this.workdir),
        detached: true, // own process group, so the whole dyno can be signalled
        stdio: [attached ? 'pipe' : 'ignore', 'pipe', 'ignore'],
      });
    } catch {
      // Arguments spawn refuses (createSession validates the known ones): the dyno crashed at boot.
      this.socket?.destroy();
      this.finish(null, null);
      return;
    }
    this.child = child;
    this.currentState = 'up';
    this.stdinOpen = attached;
    child.stdin?.on('error', () => {
      // EPIPE when the process exits or closes stdin before reading everything: nothing to do.
    });
    child.once('exit', (code, signal) => void this.onProcessExit(code, signal));
    // Read at once: Node discards the output of a child that exits while nobody reads its pipe.
    this.pumpOutput();
    child.once('error', () => {
      // spawn itself failed (no pid, no 'exit' will follow): the dyno crashed before running.
      if (child.pid === undefined && this.phase === 'running') {
        this.socket?.destroy();
        this.finish(null, null);
      }
    });
  }

  /** Connects the process's output to the sink, once, as soon as the process runs. */
  private pumpOutput(): void {
    const stdout = this.child?.stdout;
    if (this.outputPump || !stdout) return;
    this.outputPump = pipeline(stdout, this.sink).catch(() => {
      // The pipe was destroyed on shutdown: what was read so far is all there is.
    });
  }

  private forwardInput(chunk: Buffer): void {
    const stdin = this.child?.stdin;
    for (const event of interpretClientInput(chunk)) {
      if (event.kind === 'signal') {
        if (this.phase === 'running' && this.child?.pid) signalProcessGroup(this.child.pid, event.signal);
      } else if (!this.stdinOpen || !stdin) {
        continue; // after Ctrl-D, further input has nowhere to go
      } else if (event.kind === 'end-of-input') {
        this.stdinOpen = false;
        stdin.end();
      } else if (!stdin.write(event.bytes)) {
        // Backpressure towards the client: stop reading until the process consumed its stdin.
        this.socket?.pause();
        stdin.once('drain', () => this.socket?.resume());
      }
    }
  }

  private onClientGone(): void {
    this.sink.disconnect();
    this.releaseOutput(); // no handshake will go out: let output drain into the capture only
    if (this.socketDroppedByFault) return; // dropAfterBytes: the process keeps running
    // Closing the connection ends an attached dyno (heroku.md §6.2; the signal, SIGHUP, is U §9.7).
    if (this.phase === 'running') this.endProcess('disconnected', 'SIGHUP');
  }

  private expire(): void {
    if (this.phase === 'awaiting-attach') this.finishWithoutProcess('ttl');
    else if (this.phase === 'running') this.endProcess('ttl', 'SIGKILL');
    // Still flushing when the dyno expires: only a process that left the group (setsid) can hold
    // the pipe open this long, and an expired dyno has nothing left to say.
    else if (this.phase === 'ending' && this.groupGone) this.child?.stdout?.destroy();
  }

  /** Signals the group on behalf of `reason`; anything but SIGKILL escalates after `stopGraceMs`. */
  private endProcess(reason: DynoEndReason, signal: NodeJS.Signals): void {
    this.requestedEnd ??= reason;
    const pid = this.child?.pid;
    if (pid === undefined) return;
    signalProcessGroup(pid, signal);
    if (signal !== 'SIGKILL') {
      this.later(this.settings.stopGraceMs, () => {
        if (this.phase === 'running') signalProcessGroup(pid, 'SIGKILL');
      });
    }
  }

  private async onProcessExit(code: number | null, signal: NodeJS.Signals | null): Promise<void> {
    this.phase = 'ending';
    const pid = this.child?.pid;
    if (pid !== undefined) {
      // The dyno ends with its main process: whatever it left running dies with it.
      await killProcessGroupAndWait(pid).catch(() => {
        // Only an uninterruptible process survives 10 s of SIGKILL; end the session anyway.
      });
      this.groupGone = true;
    }
    // Nothing runs any more, but the pipe may still hold output: flush it all, then close the
    // connection (heroku.md §7.8). On shutdown, do not wait for a pipe held by an escaped process.
    if (this.killing) this.child?.stdout?.destroy();
    await this.outputPump;
    if (this.socket && !this.socket.destroyed) this.socket.end();
    this.finish(code, signal);
  }

  private finishWithoutProcess(reason: DynoEndReason): void {
    this.requestedEnd ??= reason;
    this.finish(null, null);
  }

  private finish(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.phase === 'ended') return;
    this.phase = 'ended';
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.processExitCode = code;
    this.processSignal = signal;
    this.reason = this.requestedEnd ?? 'exited';
    // down = exit 0 (or stopped before it ever ran); crashed = non-zero, signal, or never ran.
    const neverRan = this.child === null;
    this.currentState = code === 0 || (neverRan && this.reason === 'stopped') ? 'down' : 'crashed';
    this.checkOutputWaiters();
    this.resolveEnded();
  }

  private later(delayMs: number, action: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      action();
    }, delayMs);
    this.timers.add(timer);
  }
}

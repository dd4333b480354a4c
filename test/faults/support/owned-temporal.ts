import path from 'node:path';
import { startDevServer, type DevServer } from '../../../src/temporal/dev-server';

/**
 * A Temporal dev server that one fault scenario owns, with its state in an SQLite file, so that it
 * can be stopped and started again on the same port and find its workflows where it left them.
 */
export class OwnedTemporal {
  private server: DevServer | undefined;

  private constructor(
    private readonly binary: string,
    readonly port: number,
    private readonly dbFile: string,
  ) {}

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  static async start(options: { binary: string; port: number; dataDir: string }): Promise<OwnedTemporal> {
    const owned = new OwnedTemporal(options.binary, options.port, path.join(options.dataDir, 'temporal.sqlite'));
    await owned.resume();
    return owned;
  }

  /** SIGTERM to the server (SIGKILL after 10 s): every connection to it breaks. */
  async stop(): Promise<void> {
    await this.server?.stop();
    this.server = undefined;
  }

  /** Starts it again on the same port with the same SQLite file; resolves once the frontend answers. */
  async resume(): Promise<void> {
    this.server ??= await startDevServer({ binary: this.binary, port: this.port, dbFile: this.dbFile });
  }
}

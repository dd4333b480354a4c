import type { Logger } from '../../../src/log';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../../src/runtime/embedded-postgres';

/**
 * A PostgreSQL server that one fault scenario owns (the embedded server of `npm start`, data in a
 * directory of the scenario): it can be stopped and started again on the same port with its data,
 * which is what "PostgreSQL restarts" means to dynopulse.
 */
export class OwnedPostgres {
  private constructor(
    private readonly options: { dataDir: string; port: number; logger: Logger },
    private server: EmbeddedPostgres | undefined,
  ) {}

  /** The database dynopulse uses on this server. */
  get databaseUrl(): string {
    return `postgres://postgres:postgres@127.0.0.1:${this.port}/dynopulse`;
  }

  get port(): number {
    return this.options.port;
  }

  static async start(options: { dataDir: string; port: number; logger: Logger }): Promise<OwnedPostgres> {
    const logger = options.logger.child({ component: 'owned-postgres' });
    return new OwnedPostgres({ ...options, logger }, await startEmbeddedPostgres({ ...options, logger }));
  }

  /** Fast shutdown (SIGINT): open sessions are terminated, as when the server goes away. */
  async stop(): Promise<void> {
    await this.server?.stop();
    this.server = undefined;
  }

  /** Starts the stopped server again, same port, same data. */
  async resume(): Promise<void> {
    this.server ??= await startEmbeddedPostgres(this.options);
  }
}

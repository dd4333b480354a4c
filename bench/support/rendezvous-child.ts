// A Rendezvous simulator in its own process, so the benchmark's memory and CPU figures are the
// streaming client's alone. Messages (IPC): {type:'create', id, command} → {id, attachUrl};
// {type:'close'} → exits.
import { randomUUID } from 'node:crypto';
import { RendezvousServer } from '../../test/simulators/heroku/rendezvous';

async function main(): Promise<void> {
  const server = await RendezvousServer.start({ keepOutput: false, attachTimeoutMs: 120_000 });
  process.on('message', (message: { type: string; id?: number; command?: string }) => {
    if (message.type === 'close') {
      void server.close().then(() => process.exit(0));
      return;
    }
    const session = server.createSession({
      dynoId: randomUUID(),
      dynoName: `run.${1000 + (message.id ?? 0)}`,
      command: message.command ?? 'true',
      env: {},
      timeToLiveSeconds: 600,
      forceNoTty: true,
      attach: true,
    });
    process.send?.({ id: message.id, attachUrl: session.attachUrl });
  });
  process.send?.({ ready: true });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

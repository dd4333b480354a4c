/** A round for the sender process: POST each body once, `senders` at a time. */
export interface SendersInput {
  url: string;
  senders: number;
  deliveries: { body: string; signature: string }[];
}

export interface SendersResult {
  seconds: number;
  latenciesMs: number[];
  failures: number;
  /** A few status codes of failed requests, to say why a round failed. */
  failureStatuses: number[];
}

/**
 * The load generator of the ingest benchmark, in a Node process of its own (forked by
 * ingest.bench.ts), so that the HTTP client's work runs on neither server's event loop. One
 * round per message; the figures go back on the IPC channel.
 */
async function send({ url, senders, deliveries }: SendersInput): Promise<SendersResult> {
  const latenciesMs: number[] = [];
  const failureStatuses: number[] = [];
  let failures = 0;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: senders }, async () => {
      for (;;) {
        const delivery = deliveries[next++];
        if (delivery === undefined) return;
        const t0 = performance.now();
        const res = await fetch(url, {
          method: 'POST',
          body: delivery.body,
          headers: { 'content-type': 'application/json', 'heroku-webhook-hmac-sha256': delivery.signature },
        });
        await res.arrayBuffer();
        latenciesMs.push(performance.now() - t0);
        if (res.status !== 200) {
          failures += 1;
          if (failureStatuses.length < 10) failureStatuses.push(res.status);
        }
      }
    }),
  );
  return { seconds: (performance.now() - started) / 1000, latenciesMs, failures, failureStatuses };
}

if (process.send) {
  process.on('message', (input: SendersInput) => {
    send(input).then(
      (result) => process.send?.(result),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  });
  process.on('disconnect', () => process.exit(0));
}

// What the attached client's bytes mean once it is authenticated (heroku.md §7.6): plain bytes are
// the process's stdin; "\x04" (Ctrl-D) ends stdin, since the CLI signals end-of-input with it rather
// than a half-close; "\x03" (Ctrl-C) is SIGINT and "\x1c" (Ctrl-\) SIGQUIT to the process group.

export type ClientInputEvent =
  | { kind: 'stdin'; bytes: Buffer }
  | { kind: 'end-of-input' }
  | { kind: 'signal'; signal: 'SIGINT' | 'SIGQUIT' };

const CONTROL_BYTES: ReadonlyMap<number, ClientInputEvent> = new Map<number, ClientInputEvent>([
  [0x04, { kind: 'end-of-input' }],
  [0x03, { kind: 'signal', signal: 'SIGINT' }],
  [0x1c, { kind: 'signal', signal: 'SIGQUIT' }],
]);

/** Splits one chunk from the client into stdin bytes and control events, in order. */
export function interpretClientInput(chunk: Buffer): ClientInputEvent[] {
  const events: ClientInputEvent[] = [];
  let from = 0;
  for (let i = 0; i < chunk.length; i++) {
    const control = CONTROL_BYTES.get(chunk[i] as number);
    if (!control) continue;
    if (i > from) events.push({ kind: 'stdin', bytes: chunk.subarray(from, i) });
    events.push(control);
    from = i + 1;
  }
  if (from < chunk.length) events.push({ kind: 'stdin', bytes: chunk.subarray(from) });
  return events;
}

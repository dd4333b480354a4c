/**
 * Mints Slack message timestamps: `"<epoch seconds>.<6 digits>"`, unique and strictly increasing
 * within one simulator (slack-liquid.md A6: the `ts` is the message's identity and the value a
 * client passes back as `thread_ts`).
 */
export class MessageTsClock {
  private lastMicros = 0;

  constructor(private readonly nowMs: () => number = Date.now) {}

  next(): string {
    // Wall-clock microseconds, bumped by one when two messages land in the same microsecond.
    const micros = Math.max(Math.floor(this.nowMs()) * 1000, this.lastMicros + 1);
    this.lastMicros = micros;
    const seconds = Math.floor(micros / 1_000_000);
    const fraction = String(micros % 1_000_000).padStart(6, '0');
    return `${seconds}.${fraction}`;
  }
}

/** True when `value` has the `"<digits>.<6 digits>"` shape of a Slack message timestamp. */
export function isMessageTs(value: string): boolean {
  return /^\d+\.\d{6}$/.test(value);
}

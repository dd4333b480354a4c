// Records of webhook deliveries and their attempts (heroku.md §3 "Deliveries", §4.4).

/** heroku.md §3: pending → (retrying →)* succeeded | failed. (`scheduled` is not used here.) */
export type DeliveryStatus = 'pending' | 'retrying' | 'succeeded' | 'failed';

/** One HTTP POST of a delivery. */
export interface DeliveryAttempt {
  /** `webhook_metadata.attempt.id`; new for every retry, shared by a byte-identical duplicate. */
  readonly id: string;
  /** 1-based attempt number (a duplicate repeats its attempt's number). */
  readonly number: number;
  /** A byte-identical re-send of the previous attempt (duplicateNextDeliveries / Private Spaces). */
  readonly duplicate: boolean;
  /** Sent with a wrong signature (forgeNextDeliveries). */
  readonly forged: boolean;
  readonly url: string;
  /** Exactly the headers sent (lower-case names). */
  readonly requestHeaders: Readonly<Record<string, string>>;
  /** Exactly the bytes sent and signed. */
  readonly rawBody: Buffer;
  readonly startedAt: Date;
  /** The receiver's status, or null when the connection failed. */
  responseStatus: number | null;
  /** Error class when no status came back (e.g. `ECONNREFUSED`, `Timeout`). */
  error: string | null;
  finishedAt: Date | null;
}

/** One event sent to one subscription, with every attempt. */
export interface DeliveryRecord {
  /** `webhook_metadata.delivery.id`; stays the same across retries (heroku.md §4.3, §9.14). */
  readonly id: string;
  readonly eventId: string;
  readonly webhookId: string;
  readonly appId: string;
  readonly include: string;
  readonly level: 'notify' | 'sync';
  /** Monotonic number: the `seq` Range field of webhook-deliveries (heroku.md §1 "Useful ranges"). */
  readonly seq: number;
  status: DeliveryStatus;
  /** Attempts counted by `num_attempts` (duplicates excluded). */
  numAttempts: number;
  readonly attempts: DeliveryAttempt[];
  nextAttemptAt: Date | null;
  readonly createdAt: Date;
  updatedAt: Date;
}

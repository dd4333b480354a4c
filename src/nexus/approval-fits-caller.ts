// A gated operation must be decided while its caller still waits: when the caller's
// scheduleToCloseTimeout ends first, the caller gets a timeout but the operation keeps waiting
// for a decision (a timed-out operation is not cancelled), and a late approval would release
// something nobody waits for any more. Temporal tells the handler how long the caller waits in
// the Nexus `operation-timeout` header; a request it cannot fit is refused at the edge.

/** Room after the approval for the steps that follow it (the release call, Slack, the timeline). */
export const AFTER_APPROVAL_MARGIN_SECONDS = 60;

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** The `operation-timeout` header (a Go duration: "4989ms", "9m59.98s") in ms; undefined when absent or unreadable. */
export function operationTimeoutMs(headers: Readonly<Record<string, string>>): number | undefined {
  const text = headers['operation-timeout']?.trim();
  if (!text || !/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(text)) return undefined;
  let ms = 0;
  for (const [, n, unit] of text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) ms += Number(n) * (UNIT_MS[unit as string] ?? 0);
  return ms;
}

/** Why an approval of `timeoutSeconds` cannot be waited for by this caller, or undefined when it can (or the caller's timeout is unknown). */
export function approvalOutlastsCaller(timeoutSeconds: number, headers: Readonly<Record<string, string>>): string | undefined {
  const callerMs = operationTimeoutMs(headers);
  if (callerMs === undefined || (timeoutSeconds + AFTER_APPROVAL_MARGIN_SECONDS) * 1000 <= callerMs) return undefined;
  return (
    `approval.timeoutSeconds is ${timeoutSeconds} but the caller waits only ${Math.floor(callerMs / 1000)} s (its scheduleToCloseTimeout): ` +
    `make the scheduleToCloseTimeout at least ${timeoutSeconds + AFTER_APPROVAL_MARGIN_SECONDS} s (the approval timeout plus ${AFTER_APPROVAL_MARGIN_SECONDS} s), ` +
    'or the caller stops waiting while the request can still be approved and carried out'
  );
}

import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { approvalOutlastsCaller, operationTimeoutMs } from '../../src/nexus/approval-fits-caller';

/** How long a Nexus caller still waits (Temporal's `operation-timeout` header), and whether an approval fits in it. */
describe('a gated Nexus operation and its caller’s scheduleToCloseTimeout', () => {
  it('reads the operation-timeout header as Temporal writes it (a Go duration)', () => {
    const cases: [string, number][] = [['4989ms', 4989], ['9m59.98s', 599_980], ['1h', 3_600_000], ['1.5s', 1500], ['250us', 0.25], ['2m0s', 120_000]];
    for (const [text, ms] of cases) assert.equal(operationTimeoutMs({ 'operation-timeout': text }), ms, text);
  });

  it('ignores a header that is absent or unreadable (no check rather than a wrong one)', () => {
    for (const text of [undefined, '', '10', 'soon', '5 minutes', '-3s', '1d']) {
      const headers: Record<string, string> = text === undefined ? {} : { 'operation-timeout': text };
      assert.equal(operationTimeoutMs(headers), undefined, String(text));
      assert.equal(approvalOutlastsCaller(900, headers), undefined, String(text));
    }
  });

  it('refuses an approval that leaves less than a minute after it before the caller stops waiting', () => {
    assert.equal(approvalOutlastsCaller(300, { 'operation-timeout': '9m59.9s' }), undefined);
    assert.equal(approvalOutlastsCaller(300, { 'operation-timeout': '6m0s' }), undefined, 'exactly the approval plus the margin');
    assert.equal(
      approvalOutlastsCaller(300, { 'operation-timeout': '5m59.99s' }),
      'approval.timeoutSeconds is 300 but the caller waits only 359 s (its scheduleToCloseTimeout): make the scheduleToCloseTimeout at least 360 s (the approval timeout plus 60 s), or the caller stops waiting while the request can still be approved and carried out',
    );
    assert.match(approvalOutlastsCaller(900, { 'operation-timeout': '4989ms' }) ?? '', /^approval\.timeoutSeconds is 900 but the caller waits only 4 s/);
  });
});

import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'mocha';
import { createLogger, scrubTokens } from '../../src/log';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString('utf8'));
      cb();
    },
  });
  return { lines, logger: createLogger({ level: 'debug', destination }) };
}

describe('logs never print secrets', () => {
  it('redacts authorization headers and token fields', () => {
    const { lines, logger } = capture();
    logger.info({ req: { headers: { authorization: 'Bearer abc123secretvalue' } }, accessToken: 'HRKU-aaaaaaaaaaaa', nested: { refreshToken: 'r-secret-1', secret: 'whsec' } }, 'hello');
    const out = lines.join('');
    for (const secret of ['abc123secretvalue', 'HRKU-aaaaaaaaaaaa', 'r-secret-1', 'whsec']) assert.ok(!out.includes(secret), `${secret} leaked: ${out}`);
    assert.match(out, /\[REDACTED\]/);
  });

  it('censors request and response headers, in child bindings too, without changing the object logged', () => {
    const { lines, logger } = capture();
    const fields = {
      req: { method: 'POST', headers: { authorization: 'Bearer zzz-header-secret', cookie: 'sid=cookie-secret', 'heroku-webhook-hmac-sha256': 'hmac-secret=' } },
      res: { headers: { 'set-cookie': 'sid=set-cookie-secret' } },
      headers: { Authorization: 'Basic upper-secret' },
    };
    const before = JSON.stringify(fields);
    logger.child({ token: 'bound-token-secret', requestId: 'r-1' }).warn(fields, 'with headers');
    assert.equal(JSON.stringify(fields), before, 'the caller keeps its object');
    const line = JSON.parse(lines.join('')) as Record<string, unknown>;
    const out = JSON.stringify(line);
    for (const secret of ['zzz-header-secret', 'cookie-secret', 'hmac-secret', 'set-cookie-secret', 'upper-secret', 'bound-token-secret']) assert.ok(!out.includes(secret), `${secret} leaked: ${out}`);
    assert.deepEqual(line['req'], { method: 'POST', headers: { authorization: '[REDACTED]', cookie: '[REDACTED]', 'heroku-webhook-hmac-sha256': '[REDACTED]' } });
    assert.equal(line['requestId'], 'r-1');
  });

  it('keeps a line without secrets as it is', () => {
    const { lines, logger } = capture();
    logger.info({ app: 'my-app', status: 200, nested: { version: 12 } }, 'request');
    const line = JSON.parse(lines.join('')) as Record<string, unknown>;
    assert.deepEqual([line['app'], line['status'], line['nested'], line['msg']], ['my-app', 200, { version: 12 }, 'request']);
  });

  it('scrubs token-shaped text inside messages and error stacks', () => {
    const { lines, logger } = capture();
    logger.error({ err: new Error('Heroku rejected HRKU-0123456789abcdef') }, 'call failed with xoxb-1234-5678-abcdefgh and Bearer eyJhbGciOi.payload.sig');
    const out = lines.join('');
    assert.ok(!out.includes('HRKU-0123456789abcdef'));
    assert.ok(!out.includes('xoxb-1234-5678-abcdefgh'));
    assert.ok(!out.includes('eyJhbGciOi.payload.sig'));
  });

  it('leaves ordinary text alone', () => {
    assert.equal(scrubTokens('deploy v12 of my-app'), 'deploy v12 of my-app');
  });
});

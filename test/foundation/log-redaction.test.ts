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

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Writable } from 'node:stream';
import Koa from 'koa';
import { describe, it } from 'mocha';
import type { ApiContextExtras, ApiState } from '../../src/api/context';
import { requestContext } from '../../src/api/middleware/request-context';
import { createLogger, withLogContext } from '../../src/log';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      raw.push(chunk.toString('utf8'));
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      cb();
    },
  });
  return { lines, raw, logger: createLogger({ level: 'info', destination }) };
}

describe('log lines and their context', () => {
  it('adds the context fields a line does not carry, and the line’s own fields win, each key once', () => {
    const { lines, raw, logger } = capture();
    withLogContext({ requestId: 'from-context', workflowId: 'wf-1' }, () => {
      logger.info({ app: 'a' }, 'plain');
      logger.info({ requestId: 'from-line' }, 'own id');
      logger.child({ workflowId: 'wf-bound' }).info('bound');
    });
    logger.info({ app: 'b' }, 'outside');
    assert.deepEqual(
      lines.map((l) => [l['msg'], l['requestId'], l['workflowId'], l['app']]),
      [
        ['plain', 'from-context', 'wf-1', 'a'],
        ['own id', 'from-line', 'wf-1', undefined],
        ['bound', 'from-context', 'wf-bound', undefined],
        ['outside', undefined, undefined, 'b'],
      ],
    );
    for (const line of raw) assert.equal(line.match(/"requestId"/g)?.length ?? 0, line.includes('requestId') ? 1 : 0, line);
    assert.equal(raw[2]?.match(/"workflowId"/g)?.length, 1, 'a bound field is not repeated from the context');
  });

  it('leaves the caller’s object unchanged', () => {
    const { logger } = capture();
    const fields = { app: 'a' };
    withLogContext({ requestId: 'r' }, () => logger.info(fields, 'x'));
    assert.deepEqual(fields, { app: 'a' });
  });
});

describe('stdout of a dynopulse process (stdoutDestination)', () => {
  // A child process that logs through the same destination main.js uses.
  const child = (script: string, options: { readStdout: boolean }) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const logModule = JSON.stringify(path.join(__dirname, '..', '..', 'src', 'log.js'));
      const proc = spawn(process.execPath, ['-e', `const { createLogger, stdoutDestination } = require(${logModule}); const logger = createLogger({ level: 'info', destination: stdoutDestination() }); ${script}`], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      proc.stderr.on('data', (c: Buffer) => {
        stderr += c.toString();
        // Read stdout only once the child said it dropped lines: until then, nobody reads it.
        if (!options.readStdout && stderr.includes('log lines dropped')) proc.stdout.resume();
      });
      proc.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      if (!options.readStdout) proc.stdout.pause();
      proc.once('error', reject);
      proc.once('close', (code) => resolve({ code, stdout, stderr }));
    });

  it('writes every line, including those logged just before process.exit', async function () {
    this.timeout(20_000);
    const { code, stdout } = await child(`for (let i = 0; i < 5000; i++) logger.info({ i }, 'line'); process.exit(3);`, { readStdout: true });
    assert.equal(code, 3);
    const numbers = stdout.trim().split('\n').map((l) => (JSON.parse(l) as { i: number }).i);
    assert.deepEqual(numbers, Array.from({ length: 5000 }, (_, i) => i));
  });

  it('a line logged just before the process goes idle is written within a moment, not held until more lines come', async function () {
    this.timeout(20_000);
    // The child logs one line, then stays alive doing nothing for 5 s; the line must reach us long before it exits.
    const script = `logger.info({ i: 1 }, 'lonely line'); setTimeout(() => {}, 5000);`;
    const logModule = JSON.stringify(path.join(__dirname, '..', '..', 'src', 'log.js'));
    const proc = spawn(process.execPath, ['-e', `const { createLogger, stdoutDestination } = require(${logModule}); const logger = createLogger({ level: 'info', destination: stdoutDestination() }); ${script}`], { stdio: ['ignore', 'pipe', 'inherit'] });
    const started = Date.now();
    try {
      const line = await new Promise<string>((resolve, reject) => {
        proc.stdout.once('data', (c: Buffer) => resolve(c.toString()));
        proc.once('exit', () => reject(new Error('the child exited before its line was written')));
      });
      assert.match(line, /"msg":"lonely line"/);
      assert.ok(proc.exitCode === null, 'written while the process still runs');
      assert.ok(Date.now() - started < 4000, `written ${Date.now() - started} ms after start`);
    } finally {
      proc.kill();
    }
  });

  it('a stdout nobody reads does not block the process: past 16 MB queued, lines are dropped and stderr says so', async function () {
    this.timeout(60_000);
    const script = `
      const big = 'x'.repeat(64 * 1024);
      let ticks = 0;
      const timer = setInterval(() => ticks++, 1);
      for (let i = 0; i < 400; i++) logger.info({ i, big }, 'bulk');
      // The event loop still turns while stdout is full.
      setTimeout(() => { clearInterval(timer); process.stderr.write('ticks ' + ticks + '\\n'); process.exit(0); }, 200);
    `;
    const { code, stdout, stderr } = await child(script, { readStdout: false });
    assert.equal(code, 0);
    assert.match(stderr, /dynopulse: log lines dropped: standard output is not being read fast enough/);
    assert.ok(Number(/ticks (\d+)/.exec(stderr)?.[1]) > 10, `the event loop kept running: ${stderr}`);
    const written = stdout.trim().split('\n').filter(Boolean).length;
    assert.ok(written > 0 && written < 400, `${written} of 400 lines written`);
  });
});

describe('the access line (requestContext)', () => {
  it('is one line per request with the route’s fields, which never overwrite the line’s own', async () => {
    const { lines, logger } = capture();
    const app = new Koa<ApiState, ApiContextExtras>();
    app.use(requestContext(logger));
    app.use((ctx) => {
      ctx.state.accessLog = { app: 'app-1', status: 'forged', requestId: 'forged', duplicate: false };
      ctx.status = 201;
      ctx.body = { ok: true };
    });
    const server = app.listen(0, '127.0.0.1');
    try {
      await new Promise((resolve) => server.once('listening', resolve));
      const { port } = server.address() as AddressInfo;
      const res = await fetch(`http://127.0.0.1:${port}/things?code=oauth-secret`, { method: 'POST', headers: { 'X-Request-Id': 'req-42' } });
      assert.equal(res.status, 201);
      await res.text();
    } finally {
      server.close();
    }
    assert.equal(lines.length, 1);
    const line = lines[0] ?? {};
    assert.deepEqual(
      { msg: line['msg'], method: line['method'], path: line['path'], status: line['status'], requestId: line['requestId'], app: line['app'], duplicate: line['duplicate'] },
      { msg: 'request', method: 'POST', path: '/things', status: 201, requestId: 'req-42', app: 'app-1', duplicate: false },
    );
    assert.equal(typeof line['ms'], 'number');
  });
});

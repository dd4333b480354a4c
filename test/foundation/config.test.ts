import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { ConfigError, loadConfig } from '../../src/config';

const key = Buffer.alloc(32, 7).toString('base64');

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.problems;
  }
  assert.fail('expected a ConfigError');
}

describe('configuration (CONTRACT §2)', () => {
  it('has the documented defaults with an empty environment', () => {
    const c = loadConfig({});
    assert.equal(c.port, 3000);
    assert.equal(c.publicUrl, 'http://localhost:3000');
    assert.equal(c.databaseUrl, undefined);
    assert.equal(c.temporal.address, undefined);
    assert.equal(c.temporal.namespace, 'default');
    assert.equal(c.temporal.taskQueue, 'heroku-integration');
    assert.equal(c.heroku.oauthScope, 'global');
    assert.equal(c.heroku.apiUrl, 'https://api.heroku.com');
    assert.equal(c.heroku.idUrl, 'https://id.heroku.com');
    assert.equal(c.slack.apiUrl, 'https://slack.com/api/');
    assert.equal(c.adminApiToken, undefined);
    assert.equal(c.encryptionKey, undefined);
  });

  it('worker versioning: TEMPORAL_DEPLOYMENT_NAME and TEMPORAL_WORKER_BUILD_ID together, or neither', () => {
    assert.equal(loadConfig({}).temporal.deployment, undefined);
    assert.deepEqual(loadConfig({ TEMPORAL_DEPLOYMENT_NAME: 'dynopulse', TEMPORAL_WORKER_BUILD_ID: '3f2a9c1' }).temporal.deployment, { name: 'dynopulse', buildId: '3f2a9c1' });
    assert.deepEqual(problemsOf({ TEMPORAL_DEPLOYMENT_NAME: 'dynopulse' }), ['TEMPORAL_WORKER_BUILD_ID: TEMPORAL_DEPLOYMENT_NAME and TEMPORAL_WORKER_BUILD_ID must be set together (worker versioning)']);
    assert.match(problemsOf({ TEMPORAL_DEPLOYMENT_NAME: 'dyno pulse', TEMPORAL_WORKER_BUILD_ID: 'x' })[0] ?? '', /^TEMPORAL_DEPLOYMENT_NAME: /);
  });

  it('derives PUBLIC_URL from PORT and trims trailing slashes of URLs', () => {
    const c = loadConfig({ PORT: '8080', HEROKU_API_URL: 'http://127.0.0.1:9/', SLACK_API_URL: 'http://127.0.0.1:9/api' });
    assert.equal(c.publicUrl, 'http://localhost:8080');
    assert.equal(c.heroku.apiUrl, 'http://127.0.0.1:9');
    assert.equal(c.slack.apiUrl, 'http://127.0.0.1:9/api/');
  });

  it('reports every problem, one readable line each, naming the variable', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      DATABASE_URL: 'mysql://x',
      TEMPORAL_ADDRESS: 'no-port',
      HEROKU_OAUTH_ID: 'only-the-id',
      ADMIN_API_TOKEN: 'short',
      ENCRYPTION_KEY: 'not-base64-and-not-32-bytes',
      HEROKU_API_URL: 'ftp://api',
      LOG_LEVEL: 'loud',
    });
    const expected = ['PORT', 'DATABASE_URL', 'TEMPORAL_ADDRESS', 'HEROKU_OAUTH_SECRET', 'ADMIN_API_TOKEN', 'ENCRYPTION_KEY', 'HEROKU_API_URL', 'LOG_LEVEL'];
    for (const name of expected) assert.ok(problems.some((p) => p.startsWith(`${name}:`)), `no problem reported for ${name}: ${problems.join(' | ')}`);
    for (const p of problems) assert.ok(!p.includes('\n'), `multi-line problem: ${p}`);
  });

  it('requires ENCRYPTION_KEY with an external database (keys are only generated for the embedded one)', () => {
    assert.deepEqual(problemsOf({ DATABASE_URL: 'postgres://db/x' }).map((p) => p.split(':')[0]), ['ENCRYPTION_KEY']);
    assert.equal(loadConfig({ DATABASE_URL: 'postgres://db/x', ENCRYPTION_KEY: key }).encryptionKey?.length, 32);
  });
});

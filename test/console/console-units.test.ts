import assert from 'node:assert/strict';
import fc from 'fast-check';
import { describe, it } from 'mocha';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ASSETS_DIR } from '../../src/api/console/assets';
import { escapeHtml, html } from '../../src/api/console/html';
import { CONSOLE_PAGES } from '../../src/api/console/pages/app-shell';
import { localPath } from '../../src/api/console/local-path';
import { AuthFailureLimiter } from '../../src/api/middleware/auth-failure-limiter';
import { loadConfig, ConfigError } from '../../src/config';

describe('console building blocks', () => {
  describe('html escaping', () => {
    it('escapes every interpolated string so it can never open a tag or leave an attribute', () => {
      fc.assert(
        fc.property(fc.string(), (text) => {
          const out = html`<p title="${text}">${text}</p>`.value;
          const inner = out.slice('<p title="'.length, -'</p>'.length);
          assert.ok(!/[<>"'`]/.test(inner.replace('">', '')), out);
          return true;
        }),
      );
      assert.equal(escapeHtml(`<img src=x onerror="alert('1')">&`), '&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt;&amp;');
    });

    it('passes nested html templates through unescaped and drops null, undefined and false', () => {
      const inner = html`<b>${'<i>'}</b>`;
      assert.equal(html`<p>${inner}${null}${undefined}${false}${['a', html`<br>`]}${0}</p>`.value, '<p><b>&lt;i&gt;</b>a<br>0</p>');
    });
  });

  describe('browser scripts', () => {
    const jsDir = path.join(ASSETS_DIR, 'js');
    const scripts = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? scripts(path.join(dir, e.name)) : e.name.endsWith('.js') ? [path.join(dir, e.name)] : []));

    it('import only files that exist (no build step catches a wrong path)', () => {
      for (const file of scripts(jsDir)) {
        for (const [, spec] of readFileSync(file, 'utf8').matchAll(/^import [^'"]*'([^']+)';$/gm)) {
          assert.ok(spec?.startsWith('.'), `${file}: only relative imports (no outside host), got ${spec}`);
          assert.ok(existsSync(path.resolve(path.dirname(file), spec as string)), `${path.relative(ASSETS_DIR, file)} imports ${spec}, which does not exist`);
        }
      }
    });

    it('have one page module with a render function per console page', () => {
      for (const page of CONSOLE_PAGES) {
        const file = path.join(jsDir, 'pages', `${page.module}.js`);
        assert.ok(existsSync(file), file);
        assert.match(readFileSync(file, 'utf8'), /^export async function render\(root/m, file);
      }
    });
  });

  describe('next= after sign-in', () => {
    it('keeps local paths and replaces anything that could leave the site', () => {
      assert.equal(localPath('/pulses?org=acme&app=web'), '/pulses?org=acme&app=web');
      for (const bad of ['', '//evil.example', '/\\evil.example', 'https://evil.example', 'evil', '/a b', '/\u0000x', `/${'x'.repeat(2001)}`, null, undefined]) {
        assert.equal(localPath(bad), '/integrations', String(bad));
      }
    });
  });

  describe('sign-in limiter', () => {
    it('blocks a client after its failure budget, reopens as old failures leave the window, and forgets them on success', () => {
      let now = 1_000_000;
      const limiter = new AuthFailureLimiter({ perClient: 3, total: 100, windowMs: 60_000 }, () => now);
      for (let i = 0; i < 3; i++) {
        assert.equal(limiter.retryAfterSeconds('a'), 0);
        limiter.recordFailure('a');
        now += 1000;
      }
      assert.equal(limiter.retryAfterSeconds('a'), 57, 'the first failure (t=0 s) leaves the window at t=60 s; now is t=3 s');
      assert.equal(limiter.retryAfterSeconds('b'), 0, 'other clients are not affected');
      now += 57_001;
      assert.equal(limiter.retryAfterSeconds('a'), 0);
      limiter.recordFailure('a');
      assert.ok(limiter.retryAfterSeconds('a') > 0);
      limiter.recordSuccess('a');
      assert.equal(limiter.retryAfterSeconds('a'), 0);
    });

    it('blocks everyone once the total budget is spent (guesses spread over many addresses)', () => {
      let now = 0;
      const limiter = new AuthFailureLimiter({ perClient: 10, total: 5, windowMs: 60_000 }, () => now);
      for (let i = 0; i < 5; i++) limiter.recordFailure(`client-${i}`);
      assert.ok(limiter.retryAfterSeconds('someone-new') > 0);
      now += 60_001;
      assert.equal(limiter.retryAfterSeconds('someone-new'), 0);
    });
  });

  describe('sandbox mode', () => {
    const sandboxEnv = {
      DYNOPULSE_SANDBOX_URL: 'http://127.0.0.1:4444',
      HEROKU_API_URL: 'http://127.0.0.1:4001',
      HEROKU_ID_URL: 'http://127.0.0.1:4002',
      SLACK_API_URL: 'http://127.0.0.1:4003/api/',
    };
    const problems = (env: NodeJS.ProcessEnv) => {
      try {
        loadConfig(env);
        return [];
      } catch (err) {
        if (err instanceof ConfigError) return err.problems;
        throw err;
      }
    };

    it('is off unless DYNOPULSE_SANDBOX_URL is set, and on with local simulators', () => {
      assert.equal(loadConfig({}).sandboxControlUrl, undefined);
      assert.equal(loadConfig(sandboxEnv).sandboxControlUrl, 'http://127.0.0.1:4444');
    });

    it('refuses to start next to real Heroku or Slack, with NODE_ENV=production, or with a non-local control URL', () => {
      assert.deepEqual(problems({ DYNOPULSE_SANDBOX_URL: 'http://127.0.0.1:4444' }), [
        'DYNOPULSE_SANDBOX_URL: sandbox mode needs simulated Heroku and Slack, but HEROKU_API_URL, HEROKU_ID_URL, SLACK_API_URL are not a local URL',
      ]);
      assert.deepEqual(problems({ ...sandboxEnv, SLACK_API_URL: 'https://slack.com/api/' }), [
        'DYNOPULSE_SANDBOX_URL: sandbox mode needs simulated Heroku and Slack, but SLACK_API_URL is not a local URL',
      ]);
      assert.deepEqual(problems({ ...sandboxEnv, NODE_ENV: 'production' }), ['DYNOPULSE_SANDBOX_URL: sandbox mode is refused when NODE_ENV=production']);
      assert.match(problems({ ...sandboxEnv, DYNOPULSE_SANDBOX_URL: 'http://sandbox.example.com' })[0] ?? '', /^DYNOPULSE_SANDBOX_URL: .*set by `npm run sandbox` only/);
    });
  });
});

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, it } from 'mocha';
import { MAX_TEMPLATE_LENGTH } from '../../src/command-runs/input';
import { CommandTemplateError, renderCommandTemplate, type CommandTemplateContext } from '../../src/templates/command-template';
import { shellQuote } from '../../src/templates/shell-quote';

const context = (incident: Record<string, unknown> = {}): CommandTemplateContext => ({
  incident: { id: 'INC-1', title: 'DB down', ...incident },
  app: { name: 'my-app' },
  dyno: { size: 'standard-1X' },
  run: { id: 'run-1' },
});

const render = (template: string, incident?: Record<string, unknown>) => renderCommandTemplate(template, context(incident));

/** What bash makes of a command line: its words, one per line (printf '%s\n'). */
function bashWords(commandLine: string, cwd: string): string {
  return execFileSync('bash', ['-c', `printf '%s\\n' ${commandLine}`], { cwd, encoding: 'utf8' });
}

async function rejects(template: string, pattern: RegExp, incident?: Record<string, unknown>): Promise<void> {
  await assert.rejects(render(template, incident), (err: unknown) => err instanceof CommandTemplateError && pattern.test(err.message));
}

describe('command templates (liquidjs): shell quoting, strictness, limits', () => {
  it('prints every {{ }} output as one shell-quoted word', async () => {
    assert.equal(await render('rake db:rollback INCIDENT={{ incident.id }} APP={{ app.name }}'), "rake db:rollback INCIDENT='INC-1' APP='my-app'");
  });

  it("keeps an injection attempt in an incident title inert: x'; touch pwned; echo ' reaches bash as text", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'template-'));
    try {
      const hostile = ["x'; touch pwned; echo '", '$(touch pwned2)', '`touch pwned3`', 'a\nb; touch pwned4', '"; touch pwned5; "'];
      for (const title of hostile) {
        const command = await render('{{ incident.title }}', { title });
        assert.equal(bashWords(command, dir), `${title}\n`, `title ${JSON.stringify(title)} must arrive as one word`);
      }
      for (const file of ['pwned', 'pwned2', 'pwned3', 'pwned4', 'pwned5']) assert.equal(existsSync(path.join(dir, file)), false, `${file} must not exist`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('quotes any string so bash gets it back unchanged (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }).filter((s) => !s.includes('\0')), (s) => {
        assert.equal(execFileSync('bash', ['-c', `printf '%s' ${shellQuote(s)}`], { encoding: 'utf8' }), s);
      }),
      { numRuns: 60 },
    );
  });

  it('lets `| raw` opt out of quoting, but only as the last filter', async () => {
    assert.equal(await render('echo {{ incident.id | raw }}'), 'echo INC-1');
    assert.equal(await render('echo {{ incident.id | raw | downcase }}'), "echo 'inc-1'");
  });

  it("supports Rootly's get filter on hashes (own keys only, nil when absent)", async () => {
    assert.equal(await render("{{ incident.raw_severity | get: 'id' }}", { raw_severity: { id: 'sev1' } }), "'sev1'");
    assert.equal(await render("{{ incident.raw_severity | get: 'nope' }}", { raw_severity: { id: 'sev1' } }), "''");
    assert.equal(await render("{{ incident.raw_severity | get: 'constructor' }}", { raw_severity: {} }), "''");
  });

  it('treats the contract incident fields as always defined, but any other unknown variable as an error', async () => {
    assert.equal(await render('echo {{ incident.severity }}'), "echo ''");
    await rejects('echo {{ incident.tittle }}', /undefined variable: incident.tittle/);
    await rejects('echo {{ incident.constructor }}', /undefined variable/);
  });

  it('lets conditions and `default` handle missing fields', async () => {
    assert.equal(await render('echo {{ incident.owner | default: "nobody" }}'), "echo 'nobody'");
    assert.equal(await render('{% if incident.owner %}echo owner{% else %}echo none{% endif %}'), 'echo none');
  });

  it('refuses unknown filters at parse time', async () => {
    await rejects('echo {{ incident.id | shell_exec }}', /undefined filter: shell_exec/);
  });

  it('has no file system: include, render and layout are refused', async () => {
    await rejects('{% include "package.json" %}', /include.*not available/);
    await rejects('{% render "/etc/passwd" %}', /render.*not available/);
    await rejects('{% layout "x" %}', /layout.*not available/);
  });

  it('refuses lists and objects as shell words, and says how to make one word', async () => {
    await rejects('echo {{ incident.tags }}', /cannot print a list as a shell word: use \| join/, { tags: ['a', 'b'] });
    await rejects('echo {{ incident }}', /cannot print an object/);
    assert.equal(await render('echo {{ incident.tags | join: " " }}', { tags: ['a', 'b'] }), "echo 'a b'");
  });

  it('stops hostile templates: huge loops, nested loops, big strings, deep nesting, long results', async () => {
    await rejects('{% for i in (1..100000000) %}{{ i }}{% endfor %}', /limit exceeded/);
    await rejects('{% for i in (1..1000) %}{% for j in (1..1000) %}{% for k in (1..1000) %}x{% endfor %}{% endfor %}{% endfor %}', /limit exceeded/);
    await rejects('{% assign s = "xxxxxxxxxx" %}{% for i in (1..40) %}{% assign s = s | append: s %}{% endfor %}{{ s }}', /limit exceeded/);
    await rejects(`${'{%if 1%}'.repeat(600)}x${'{%endif%}'.repeat(600)}`, /limit exceeded/);
    await rejects(`{{ ${'['.repeat(MAX_TEMPLATE_LENGTH)}1${']'.repeat(MAX_TEMPLATE_LENGTH)} }}`, /limit exceeded/);
    // A long result from a few steps, not a long loop: the render limit is wall time, and a busy
    // machine must not turn this case into that one.
    await rejects('{% assign s = "xxxxxxxxxxxxxxxx" %}{% for i in (1..11) %}{% assign s = s | append: s %}{% endfor %}echo {{ s }}', /longer than/);
  });

  it('refuses a template that renders to nothing', async () => {
    await rejects('{% if false %}x{% endif %}', /empty/);
  });
});

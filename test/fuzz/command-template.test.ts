import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { after, before, describe, it } from 'mocha';
import { dynoCommand } from '../../src/activities/command-run/dyno';
import { MAX_TEMPLATE_LENGTH } from '../../src/command-runs/input';
import { CommandTemplateError, renderCommandTemplate, type CommandTemplateContext } from '../../src/templates/command-template';
import { fuzzRuns } from './fuzz-runs';
import { hostileString } from './json-arbitraries';

/** What the dyno prints after the command (src/rendezvous/exit-status.ts). */
const EXIT_MARKER = '\uFFFF heroku-command-exit-status: 0\n';

/** Runs `command` the way the dyno does (`bash -c` of the tagged, exit-status-reporting command line), in a scratch directory. */
function runOnDyno(runId: string, rendered: string, cwd: string): Buffer {
  const result = spawnSync('bash', ['-c', dynoCommand(runId, rendered)], { cwd, env: { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: cwd, LC_ALL: 'C' }, timeout: 10_000 });
  assert.equal(result.error, undefined);
  return result.stdout;
}

const context = (incident: Record<string, string>, runId = 'run-1'): CommandTemplateContext => ({
  incident: { id: 'INC-1', ...incident },
  app: { name: 'app-one' },
  dyno: { size: 'standard-1X' },
  run: { id: runId },
});

/** `global.gc`, without starting node with --expose-gc. */
function collectGarbage(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

describe('fuzz: Liquid command templates (src/templates)', () => {
  let scratch: string;
  let canary: string;

  before(() => {
    scratch = mkdtempSync(path.join(tmpdir(), 'dynopulse-fuzz-'));
    canary = path.join(scratch, 'pwned');
  });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  /** Strings that would run `touch <canary>` if any template output were not quoted. */
  const injection = (): fc.Arbitrary<string> =>
    fc.constantFrom(`$(touch ${canary})`, `\`touch ${canary}\``, `'; touch ${canary}; '`, `"; touch ${canary}; "`, `\ntouch ${canary}\n`, `'\ntouch ${canary}\n'`, `x' && touch ${canary} #`, `$'\\'; touch ${canary}'`, `\\'; touch ${canary}; echo '`);
  const fieldText = fc.oneof(hostileString, injection(), fc.array(fc.oneof(hostileString, injection()), { maxLength: 3 }).map((parts) => parts.join('')));

  it(`prints every incident field back literally through a real bash, as the dyno runs it: no output is ever interpreted (${fuzzRuns(150)} runs)`, async () => {
    let executed = 0;
    await fc.assert(
      fc.asyncProperty(fieldText, fieldText, fc.oneof(fc.constant('run-1'), fieldText), async (title, severity, runId) => {
        // A few template shapes; each prints title, severity and run id in a known layout.
        const templates: [string, string][] = [
          [`printf '%s' {{ incident.title }}`, title],
          [`printf '%s|%s' {{ incident.title }} {{ incident.severity }}`, `${title}|${severity}`],
          [`printf '%s' {{ incident.title | append: incident.severity }}`, `${title}${severity}`],
          [`printf '%s' {{ incident | get: "title" }}{{ run.id }}`, `${title}${runId}`],
          [`{% if incident.title %}printf '%s' {{ incident.title }}{% else %}printf '%s' ''{% endif %}`, title],
        ];
        for (const [template, printed] of templates) {
          let rendered: string;
          try {
            rendered = await renderCommandTemplate(template, context({ title, severity }, runId));
          } catch (err) {
            // The one refusal allowed: a value a command line cannot carry (argv strings end at NUL).
            assert.ok(err instanceof CommandTemplateError, String(err));
            assert.ok(printed.includes('\u0000'), `refused without a NUL: ${(err as Error).message}`);
            continue;
          }
          // Bytes as the shell sees them: the JS string as UTF-8 (an unpaired surrogate becomes U+FFFD on both sides).
          assert.deepEqual(runOnDyno(runId.includes('\u0000') ? 'run-1' : runId, rendered, scratch), Buffer.from(`${printed}${EXIT_MARKER}`, 'utf8'), `template ${template}\nrendered ${JSON.stringify(rendered)}`);
          executed += 1;
        }
      }),
      { numRuns: fuzzRuns(150) },
    );
    assert.ok(!existsSync(canary), 'an injected command ran');
    assert.ok(executed > fuzzRuns(150), `${executed} commands were executed`);
  });

  /** Fragments of hostile templates: huge loops, doubling strings, deep nesting, odd filters and arguments. */
  const fragment = fc.oneof(
    fc.constantFrom(
      '{% for i in (1..1000000000) %}x{% endfor %}',
      '{% for i in (1..100000) %}{% for j in (1..100000) %}{% endfor %}{% endfor %}',
      '{% assign s = "xxxxxxxxxxxxxxxx" %}{% for i in (1..40) %}{% assign s = s | append: s %}{% endfor %}',
      '{% capture c %}{% for i in (1..100000) %}{{ incident.title | raw }}{% endfor %}{% endcapture %}',
      '{% tablerow i in (1..100000) %}{{ i }}{% endtablerow %}',
      '{% cycle "a", "b" %}',
      '{{ incident.title | split: "" | join: "," | raw }}',
      '{{ 1e308 | times: 1e308 | raw }}',
      '{{ "x" | prepend: incident.title | append: incident.title | raw }}',
      '{{ incident.title | replace: "", "xxxxxxxx" | raw }}',
      '{{ incident.title | truncate: -1 | raw }}',
      '{{ (1..10000000) | join: "," | raw }}',
      '{{ incident | json }}',
      '{{ incident.constructor }}',
      '{{ incident.__proto__ }}',
      '{% increment n %}',
      '{% liquid assign x = 1\nfor i in (1..99999999)\necho i\nendfor %}',
      '{% raw %}{{ not_rendered }}{% endraw %}',
      '{% comment %}x{% endcomment %}',
      '{% if incident.title contains "a" %}a{% elsif x %}b{% endif %}',
      '{% case incident.title %}{% when "a" %}a{% else %}b{% endcase %}',
      '{{ incident.title | date: "%Y" }}',
      '{{ "now" | date: "%s" }}',
      '{%',
      '{{',
      '}}',
      '{% endfor %}',
    ),
    fc.integer({ min: 1, max: 400 }).map((n) => `${'{% if true %}'.repeat(n)}x${'{% endif %}'.repeat(n)}`),
    fc.integer({ min: 1, max: 400 }).map((n) => `${'{% for i in (1..2) %}'.repeat(n)}x${'{% endfor %}'.repeat(n)}`),
    fc.string({ maxLength: 30 }),
  );

  it(`hostile templates end (rendered or refused) within the render limits, and memory stays bounded (${fuzzRuns(200)} runs)`, async () => {
    const gc = collectGarbage();
    gc();
    const baseline = process.memoryUsage().heapUsed;
    let peak = baseline;
    const outcomes = { rendered: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(fc.array(fragment, { minLength: 1, maxLength: 6 }).map((parts) => `echo ${parts.join(' ')}`.slice(0, MAX_TEMPLATE_LENGTH)), hostileString, async (template, title) => {
        try {
          await renderCommandTemplate(template, context({ title }));
          outcomes.rendered += 1;
        } catch (err) {
          assert.ok(err instanceof CommandTemplateError, `${String(err)} for ${template}`);
          outcomes.refused += 1;
        }
        peak = Math.max(peak, process.memoryUsage().heapUsed);
      }),
      { numRuns: fuzzRuns(200) },
    );
    gc();
    const retainedMb = (process.memoryUsage().heapUsed - baseline) / 2 ** 20;
    const peakMb = (peak - baseline) / 2 ** 20;
    if (process.env.FUZZ_VERBOSE) console.log(`      ${JSON.stringify(outcomes)}; heap: peak +${peakMb.toFixed(1)} MB, retained +${retainedMb.toFixed(1)} MB`);
    assert.ok(outcomes.rendered > 0 && outcomes.refused > 0, JSON.stringify(outcomes));
    // liquidjs's memoryLimit and renderLimit stop each render at some tens of MB and about 250 ms; garbage piles up between collections.
    assert.ok(peakMb < 256, `heap peaked ${peakMb.toFixed(1)} MB above the baseline`);
    assert.ok(retainedMb < 32, `heap grew by ${retainedMb.toFixed(1)} MB over the run`);
  });
});

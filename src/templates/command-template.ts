import { Liquid, type TagToken } from 'liquidjs';
import { DEFAULT_DYNO_SIZE, MAX_TEMPLATE_LENGTH, type Incident, type RunCommandInput } from '../command-runs/input';
import { getFilter } from './get-filter';
import { shellQuote } from './shell-quote';

/** A rendered command longer than this is refused (a command line has no business being longer). */
export const MAX_RENDERED_COMMAND_LENGTH = 16 * 1024;

/** The template could not be parsed or rendered; the message is liquidjs's (with line and column). */
export class CommandTemplateError extends Error {
  override name = 'CommandTemplateError';
}

/** What a command template sees. Incident fields of CONTRACT §4 are always defined (nil when not given). */
export interface CommandTemplateContext {
  incident: Incident | null;
  app: { name: string };
  dyno: { size: string };
  run: { id: string };
}

/** The context of a run's template: `{ incident, app, dyno, run }`. */
export function templateContextOf(runId: string, input: RunCommandInput): CommandTemplateContext {
  return { incident: input.incident, app: { name: input.appName }, dyno: { size: input.dynoSize ?? DEFAULT_DYNO_SIZE }, run: { id: runId } };
}

/** Tags that would read other templates; with `templates: {}` they find nothing, this says why. */
const NO_PARTIALS = {
  parse(token: TagToken) {
    throw new Error(`{% ${token.name} %} is not available in command templates`);
  },
  render() {
    return '';
  },
};

/**
 * The Liquid engine for command templates (DESIGN "injection-safe by default"): every output is
 * shell-quoted unless its last filter is `raw`; unknown variables and filters are errors (typos
 * must not run as empty strings); no file system; limits against hostile templates. `lenientIf`
 * still lets `{% if incident.x %}` and `| default:` handle missing fields.
 */
const engine = new Liquid({
  outputEscape: shellQuote,
  strictVariables: true,
  strictFilters: true,
  lenientIf: true,
  ownPropertyOnly: true,
  templates: {},
  parseLimit: MAX_TEMPLATE_LENGTH,
  renderLimit: 250,
  memoryLimit: 1_000_000,
  timezoneOffset: 0,
});
engine.registerFilter('get', getFilter);
for (const tag of ['include', 'render', 'layout']) engine.registerTag(tag, NO_PARTIALS);

export async function renderCommandTemplate(template: string, context: CommandTemplateContext): Promise<string> {
  const incident = context.incident === null ? null : { id: null, title: null, url: null, severity: null, ...context.incident };
  let rendered: string;
  try {
    rendered = String(await engine.parseAndRender(template, { ...context, incident }));
  } catch (err) {
    throw new CommandTemplateError(`command template: ${(err as Error).message}`);
  }
  if (rendered.trim() === '') throw new CommandTemplateError('command template: the rendered command is empty');
  if (rendered.length > MAX_RENDERED_COMMAND_LENGTH) {
    throw new CommandTemplateError(`command template: the rendered command is longer than ${MAX_RENDERED_COMMAND_LENGTH} characters`);
  }
  // A C string (argv) cannot hold NUL; Heroku would refuse it later, less clearly.
  if (rendered.includes('\0')) throw new CommandTemplateError('command template: the rendered command contains a NUL character');
  return rendered;
}

import type http from 'node:http';
import type { HerokuSimulator } from '../../test/simulators/heroku';
import type { SlackSimulator } from '../../test/simulators/slack';
import { serve } from '../../test/support/api-client';

/** How much of each posted Slack file the console shows. */
const FILE_PREVIEW_BYTES = 64 * 1024;
const FILES_SHOWN = 20;

export interface SandboxWorld {
  orgId: string;
  accountEmail: string;
  appNames: string[];
  heroku: HerokuSimulator;
  slack: SlackSimulator;
}

export interface ControlServer {
  url: string;
  close(): Promise<void>;
}

/**
 * The sandbox's control server on 127.0.0.1: what the console's Sandbox page shows and does,
 * answered from the simulators this process owns. dynopulse reaches it through
 * DYNOPULSE_SANDBOX_URL (src/api/console/sandbox-routes.ts relays /api/sandbox/* to it).
 *
 *   GET  /state                  org, demo account, apps (with dynopulse's webhook count), channels, files
 *   POST /apps/:app/deploy       {"fail"?: boolean} → a simulated git push (build and release webhooks)
 */
export async function startControlServer(world: SandboxWorld): Promise<ControlServer> {
  return serve((req, res) => {
    void handle(world, req)
      .then(({ status, body }) => send(res, status, body))
      .catch((err: unknown) => send(res, 422, { error: { code: 'sandbox_error', message: err instanceof Error ? err.message : String(err) } }));
  });
}

async function handle(world: SandboxWorld, req: http.IncomingMessage): Promise<{ status: number; body: unknown }> {
  const url = new URL(req.url ?? '/', 'http://sandbox');
  if (req.method === 'GET' && url.pathname === '/state') return { status: 200, body: state(world) };
  const deploy = /^\/apps\/([a-z][a-z0-9-]{2,29})\/deploy$/.exec(url.pathname);
  if (req.method === 'POST' && deploy) {
    const input = JSON.parse((await readBody(req)) || '{}') as { fail?: unknown };
    const summary = await world.heroku.deploy(deploy[1] as string, { fail: input.fail === true });
    return {
      status: 201,
      body: { appName: summary.appName, status: summary.status, buildId: summary.buildId, releaseVersion: summary.releaseVersion, commit: summary.commit },
    };
  }
  return { status: 404, body: { error: { code: 'not_found', message: `No sandbox route for ${req.method} ${url.pathname}` } } };
}

function state(world: SandboxWorld) {
  const { heroku, slack } = world;
  return {
    orgId: world.orgId,
    account: { email: world.accountEmail },
    apps: world.appNames.map((name) => ({ name, webhooks: heroku.webhooksOf(name).length })),
    channels: slack.channels.map((c) => ({ id: c.id, name: c.name })),
    files: slack.files
      .slice(-FILES_SHOWN)
      .reverse()
      .map((f) => ({
        id: f.id,
        title: f.title,
        filename: f.filename,
        channels: f.channels.map((id) => slack.channel(id)?.name ?? id),
        initialComment: f.initialComment ?? null,
        bytes: f.bytes.length,
        text: f.bytes.subarray(0, FILE_PREVIEW_BYTES).toString('utf8'),
        completedAt: f.completedAt.toISOString(),
      })),
  };
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
      if (body.length > 16_384) req.destroy(new Error('body too large'));
    });
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

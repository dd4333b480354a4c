import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { projectRoot } from '../src/paths';
import { HerokuSimulator } from '../test/simulators/heroku';
import { SlackSimulator } from '../test/simulators/slack';
import { assertPostgresUserCanReach, embeddedPostgresBinaries } from '../src/runtime/postgres-user-access';
import { SANDBOX_SETTINGS_FILE, type SandboxSettings } from '../examples/incident/sandbox-settings';
import { DEFAULT_ENDPOINT_NAME } from '../src/nexus/service';
import { nexusTaskQueue } from '../src/nexus/task-queue';
import { locateTemporalCli } from '../src/temporal/cli-binary';
import { withoutTemporalConnectionEnv } from '../src/temporal/connection-config';
import { startControlServer } from './sandbox/control-server';

/**
 * `npm run sandbox`: dynopulse against simulated Heroku and Slack, so a newcomer can click
 * through connect → deploy → pulse → run command → Slack file without any account.
 *
 * This process owns the simulators (a demo account with a few apps, two Slack channels) and a
 * control server for the console's Sandbox page; dynopulse itself runs as `node dist/src/main.js`
 * with embedded PostgreSQL and Temporal under `.data/sandbox`, which starts empty every time
 * (the simulators live in memory, so older data would point at a Heroku that no longer exists).
 */

const ORG_ID = 'demo';
const ACCOUNT = { email: 'demo@dynopulse.test', name: 'Demo Admin' };
const APPS: { name: string; configVars: Record<string, string>; generation?: 'fir'; formation?: Record<string, number> }[] = [
  { name: 'demo-web', configVars: { DATABASE_URL: 'postgres://demo:sandbox-db-password@db.internal:5432/web', SECRET_KEY_BASE: 'sandbox-secret-key-base-0123456789' } },
  { name: 'demo-api', configVars: { API_SIGNING_KEY: 'sandbox-api-signing-key-abcdef' } },
  { name: 'demo-worker', configVars: {} },
  // A Fir-generation app (README "On Fir"): commands run inside one of its running dynos over SSH.
  { name: 'demo-fir', configVars: { FIR_API_KEY: 'sandbox-fir-api-key-123456' }, generation: 'fir', formation: { web: 2, worker: 1 } },
];
const SERVICES = [
  { id: 'svc-web', name: 'Web storefront', herokuAppName: 'demo-web' },
  { id: 'svc-api', name: 'Public API', herokuAppName: 'demo-api' },
];
const CHANNELS = [
  { id: 'C0SANDBOX01', name: 'ops', isMember: true },
  { id: 'C0SANDBOX02', name: 'deploys', isMember: true },
];
const SLACK_BOT_TOKEN = 'xoxb-sandbox-0000000000-dynopulse';
/** Marks a data directory this script created, so it never wipes anything else. */
const MARKER = 'DYNOPULSE_SANDBOX_DATA';
const CALLER_NAMESPACE = 'incident-callers';
const execFileAsync = promisify(execFile);

async function main(): Promise<void> {
  const env = process.env;
  const port = Number(env.PORT || 3000);
  const publicUrl = `http://localhost:${port}`;
  const dataDir = path.resolve(projectRoot, env.DYNOPULSE_DATA_DIR || path.join('.data', 'sandbox'));
  await freshDataDir(dataDir);
  // main.ts would refuse as well, but only after the simulators are up: say it before anything starts.
  await assertPostgresUserCanReach({ binaries: embeddedPostgresBinaries(), dataDir: path.join(dataDir, 'postgres') });

  const oauthClient = { id: 'dynopulse-sandbox', secret: randomBytes(24).toString('hex'), name: 'dynopulse (sandbox)', redirectUri: `${publicUrl}/oauth/heroku/callback` };
  const heroku = await HerokuSimulator.start({ oauthClients: [oauthClient] });
  const account = heroku.createAccount(ACCOUNT);
  for (const app of APPS) heroku.createApp({ name: app.name, owner: account.id, configVars: app.configVars, generation: app.generation, formation: app.formation });
  const slack = await SlackSimulator.start({ botToken: SLACK_BOT_TOKEN, channels: CHANNELS });
  const control = await startControlServer({ orgId: ORG_ID, accountEmail: account.email, appNames: APPS.map((a) => a.name), heroku, slack });

  const adminToken = env.ADMIN_API_TOKEN || randomBytes(16).toString('hex');
  const logFile = path.join(dataDir, 'dynopulse.log');
  const child = spawn(process.execPath, ['--enable-source-maps', path.join(projectRoot, 'dist', 'src', 'main.js')], {
    env: {
      // Always the embedded dev server: neither the shell's TEMPORAL_* nor the developer's profile file.
      ...withoutTemporalConnectionEnv(env, path.join(dataDir, 'no-temporal-profile.toml')),
      PORT: String(port),
      PUBLIC_URL: publicUrl,
      // Always embedded, never the developer's own database or Temporal.
      DATABASE_URL: '',
      TEMPORAL_ADDRESS: '',
      ENCRYPTION_KEY: '',
      DYNOPULSE_DATA_DIR: dataDir,
      EMBEDDED_POSTGRES_PORT: env.EMBEDDED_POSTGRES_PORT || '54339',
      TEMPORAL_DEV_PORT: env.TEMPORAL_DEV_PORT || '7243',
      TEMPORAL_UI_PORT: env.TEMPORAL_UI_PORT || '8243',
      HEROKU_OAUTH_ID: oauthClient.id,
      HEROKU_OAUTH_SECRET: oauthClient.secret,
      HEROKU_API_URL: heroku.apiUrl,
      HEROKU_ID_URL: heroku.idUrl,
      SLACK_BOT_TOKEN,
      SLACK_API_URL: slack.apiUrl,
      ADMIN_API_TOKEN: adminToken,
      DYNOPULSE_SANDBOX_URL: control.url,
      // The simulated Rendezvous server's certificate comes from the test CA.
      NODE_EXTRA_CA_CERTS: path.join(projectRoot, 'test', 'fixtures', 'tls', 'ca.pem'),
      LOG_LEVEL: env.LOG_LEVEL || 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: Ctrl-C reaches this script only, which then stops dynopulse with
    // exactly one SIGTERM (a second signal would make it skip its ordered shutdown).
    detached: true,
  });

  let stopping = false;
  const stopAll = once(async () => {
    stopping = true;
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited(child);
    await control.close();
    await heroku.close();
    await slack.close();
  });
  process.on('SIGINT', () => void stopAll().then(() => process.exit(0)));
  process.on('SIGTERM', () => void stopAll().then(() => process.exit(0)));

  const banner = await startedBanner(child, logFile);
  if (banner === undefined) {
    console.error(`dynopulse did not start. Last lines of ${path.relative(process.cwd(), logFile)}:\n${await tail(logFile, 30)}`);
    await stopAll();
    process.exit(1);
  }
  await seedServices(publicUrl, adminToken);
  const nexus = await prepareNexusCallers(banner);
  const settings: SandboxSettings = { apiUrl: publicUrl, adminToken, orgId: ORG_ID, temporalAddress: nexus.temporalAddress, callerNamespace: CALLER_NAMESPACE, endpoint: DEFAULT_ENDPOINT_NAME, appNames: APPS.map((a) => a.name) };
  await writeFile(path.join(dataDir, SANDBOX_SETTINGS_FILE), JSON.stringify(settings, null, 2), { mode: 0o600 });
  child.once('exit', (code, signal) => {
    if (stopping) return;
    console.error(`dynopulse stopped (${signal ?? `exit code ${code}`}); see ${logFile}`);
    void stopAll().then(() => process.exit(1));
  });

  const temporalUi = /Temporal UI: +(\S+)/.exec(banner)?.[1];
  console.log(
    [
      'dynopulse sandbox is running',
      `  Console:     ${publicUrl}  (sign in with the admin token below)`,
      `  Admin token: ${adminToken}`,
      ...(temporalUi ? [`  Temporal UI: ${temporalUi}`] : []),
      `  Heroku:      simulated, account ${account.email}, apps ${APPS.map((a) => (a.generation === 'fir' ? `${a.name} (Fir)` : a.name)).join(', ')}`,
      `  Slack:       simulated, channels ${CHANNELS.map((c) => `#${c.name}`).join(', ')}`,
      `  Nexus:       endpoint ${DEFAULT_ENDPOINT_NAME} → task queue ${nexus.targetTaskQueue}; callers' namespace ${CALLER_NAMESPACE} (try: npm run example:incident)`,
      `  Org:         ${ORG_ID} (services ${SERVICES.map((s) => `${s.name} ↔ ${s.herokuAppName}`).join(', ')})`,
      `  Logs:        ${path.relative(process.cwd(), logFile)}`,
      '  Try: Integrations → Connect Heroku Account, then Sandbox → Simulate deploy, Pulses, Command runs.',
      '  Ctrl-C stops everything; the next start begins from scratch.',
    ].join('\n'),
  );
}

/**
 * What an incident workflow in another namespace needs to call dynopulse (README "Calling from an
 * incident workflow"): its namespace and the Nexus endpoint, made with the CLI as an operator would.
 */
async function prepareNexusCallers(banner: string): Promise<{ temporalAddress: string; targetTaskQueue: string }> {
  const match = /Temporal: +(\S+) \(namespace (\S+), task queue (\S+)\)/.exec(banner);
  if (!match) throw new Error('the start-up banner does not name the Temporal address');
  const [, temporalAddress = '', namespace = '', taskQueue = ''] = match;
  const targetTaskQueue = nexusTaskQueue(taskQueue);
  const cli = await locateTemporalCli({ projectRoot });
  // The CLI reads the same TEMPORAL_* variables and profile file: keep them away from the sandbox's server.
  const cliEnv = withoutTemporalConnectionEnv(process.env, path.join(projectRoot, '.data', 'sandbox', 'no-temporal-profile.toml'));
  const temporal = (...args: string[]) => execFileAsync(cli, [...args, '--address', temporalAddress], { env: cliEnv });
  await temporal('operator', 'namespace', 'create', '--namespace', CALLER_NAMESPACE);
  // A new namespace takes a moment to reach every frontend service: wait until it answers.
  for (let attempt = 0; ; attempt++) {
    const ready = await temporal('workflow', 'count', '--namespace', CALLER_NAMESPACE).then(() => true, () => false);
    if (ready) break;
    if (attempt > 60) throw new Error(`the namespace ${CALLER_NAMESPACE} was created but does not answer`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  await temporal('operator', 'nexus', 'endpoint', 'create', '--name', DEFAULT_ENDPOINT_NAME, '--target-namespace', namespace, '--target-task-queue', targetTaskQueue);
  return { temporalAddress, targetTaskQueue };
}

/** Empties the sandbox data directory (only one this script made), ready for PostgreSQL. */
async function freshDataDir(dataDir: string): Promise<void> {
  if (existsSync(dataDir) && (await readdir(dataDir)).length > 0 && !existsSync(path.join(dataDir, MARKER))) {
    throw new Error(`${dataDir} holds files the sandbox did not create; choose another DYNOPULSE_DATA_DIR`);
  }
  await rm(dataDir, { recursive: true, force: true });
  await mkdir(dataDir, { recursive: true });
  // As root, PostgreSQL runs as the `postgres` user, which must reach its data directory.
  await chmod(dataDir, 0o755);
  await writeFile(path.join(dataDir, MARKER), 'Created by npm run sandbox; emptied on every start.\n');
}

/** Resolves with dynopulse's start-up banner, or undefined when it exits first. Its output goes to `logFile`. */
function startedBanner(child: ChildProcess, logFile: string): Promise<string | undefined> {
  const log = createWriteStream(logFile);
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  return new Promise((resolve) => {
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const start = out.indexOf('dynopulse is running');
      if (start >= 0 && out.includes('Ctrl-C', start)) {
        child.stdout?.off('data', onData);
        resolve(out.slice(start));
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', () => resolve(undefined));
  });
}

/** The demo org's services, so deploy pulses link to something (PUT /api/services/:id). */
async function seedServices(apiUrl: string, adminToken: string): Promise<void> {
  for (const service of SERVICES) {
    const res = await fetch(`${apiUrl}/api/services/${service.id}`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${adminToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ orgId: ORG_ID, name: service.name, herokuAppName: service.herokuAppName }),
    });
    if (!res.ok) console.error(`could not create the demo service ${service.id}: ${res.status} ${await res.text()}`);
  }
}

async function tail(file: string, lines: number): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => (running ??= fn());
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});

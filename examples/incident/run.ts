import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { clientConnectionOptions, devServerConnectionSettings, nativeConnectionOptions } from '../../src/temporal/connection-config';
import { readSandboxSettings, type SandboxSettings } from './sandbox-settings';
import type { IncidentCommandOutcome } from './workflows';

/**
 * `npm run example:incident`: an incident team's worker and workflow, in their own namespace,
 * running a command on Heroku through dynopulse's Nexus endpoint. Against `npm run sandbox`: it
 * connects the simulated Heroku account if the sandbox has no integration yet, runs the command,
 * prints the run's status, exit code and output size, and exits 0 when the run succeeded.
 */
async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const sandbox = await readSandboxSettings(process.env.DYNOPULSE_DATA_DIR);
  const integrationId = await connectedIntegration(sandbox);
  const taskQueue = 'incident-response';

  // The sandbox's dev server, through the same connection options dynopulse builds (plain text there).
  const temporal = devServerConnectionSettings(sandbox.temporalAddress, sandbox.callerNamespace);
  const connection = await NativeConnection.connect(nativeConnectionOptions(temporal));
  const worker = await Worker.create({ connection, namespace: sandbox.callerNamespace, taskQueue, workflowsPath: require.resolve('./workflows') });
  const client = new Client({ connection: await Connection.connect(clientConnectionOptions(temporal)), namespace: sandbox.callerNamespace });

  const appName = sandbox.appNames[0] ?? 'demo-web';
  const command = process.argv[2] ?? 'echo "diagnostics for {{ incident.id }} on $HOSTNAME"; uptime';
  const workflowId = `incident-diagnostics-${randomUUID()}`;
  console.log(`Running \`${command}\` on ${appName} through the Nexus endpoint "${sandbox.endpoint}" (workflow ${workflowId} in namespace ${sandbox.callerNamespace}) ...`);
  const outcome = await worker.runUntil(
    client.workflow.execute('IncidentDiagnostics', {
      taskQueue,
      workflowId,
      args: [sandbox.endpoint, { integrationId, appName, command, incident: { id: 'INC-EXAMPLE', title: 'Example incident' } }],
    }) as Promise<IncidentCommandOutcome>,
  );
  await client.connection.close();
  await connection.close();

  console.log(`status:      ${outcome.status}`);
  console.log(`run:         ${outcome.runId ?? '-'}  (${sandbox.apiUrl}/command-runs/${outcome.runId ?? ''})`);
  console.log(`exit code:   ${outcome.exitCode ?? '-'}`);
  console.log(`output size: ${outcome.outputBytes ?? '-'} bytes`);
  if (outcome.failure) console.log(`failure:     ${outcome.failure}`);
  process.exitCode = outcome.status === 'succeeded' ? 0 : 1;
}

/** The sandbox org's connected integration; the first time, connect the simulated account as the console would. */
async function connectedIntegration(sandbox: SandboxSettings): Promise<string> {
  const api = (pathname: string, init: RequestInit = {}) =>
    fetch(`${sandbox.apiUrl}${pathname}`, { ...init, headers: { Authorization: `Bearer ${sandbox.adminToken}`, 'Content-Type': 'application/json' } });
  const list = (await (await api(`/api/integrations/heroku?orgId=${encodeURIComponent(sandbox.orgId)}`)).json()) as { id: string; status: string }[];
  const connected = list.find((i) => i.status === 'connected');
  if (connected) return connected.id;

  console.log('The sandbox has no connected integration yet: connecting the simulated Heroku account ...');
  const created = (await (await api('/api/integrations/heroku', { method: 'POST', body: JSON.stringify({ orgId: sandbox.orgId, apps: sandbox.appNames }) })).json()) as { id: string; authorizeUrl: string };
  // The simulated id.heroku.com approves at once and redirects to our callback, as a browser would follow.
  const consent = await fetch(created.authorizeUrl, { redirect: 'manual' });
  const callback = consent.headers.get('location');
  if (!callback) throw new Error(`the simulated Heroku did not redirect (${consent.status})`);
  const landed = await fetch(callback, { redirect: 'manual' });
  if (landed.status >= 400) throw new Error(`the OAuth callback answered ${landed.status}: ${await landed.text()}`);
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 500))) {
    const view = (await (await api(`/api/integrations/heroku/${created.id}`)).json()) as { status: string; statusReason?: string };
    if (view.status === 'connected') return created.id;
    if (view.status === 'error') throw new Error(`the integration could not connect: ${view.statusReason ?? 'error'}`);
  }
  throw new Error('the integration did not connect within 60 s');
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});

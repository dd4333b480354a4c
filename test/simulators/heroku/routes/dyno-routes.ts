// One-off dynos (heroku.md §6): create (with a Rendezvous attach URL), info, list, stop.
// The process side lives in ../rendezvous; a dyno whose process ended is gone (404), §6.2.
import { randomInt, randomUUID } from 'node:crypto';
import type { Router } from '../http-kit';
import type { App, DynoRecord } from '../model';
import { invalidParams, notFound } from '../heroku-error';
import type { ApiHandler, ApiRequest } from '../platform-api';
import { dynoEventData, newEvent } from '../event-payloads';
import { renderDyno } from '../representations';
import { BodyReader } from '../request-validation';
import type { DynoSession } from '../rendezvous';
import { listResponse, requireScope, resolveApp, type PlatformServices } from './route-support';
import { findFirDyno, isFir, renderFirDyno } from '../fir/fir-routes';

/** Sizes accepted case-insensitively and how Heroku reports them (heroku.md §6.1 `size`). */
export const DYNO_SIZES: Readonly<Record<string, string>> = {
  basic: 'Basic',
  'standard-1x': 'Standard-1X',
  'standard-2x': 'Standard-2X',
  'performance-m': 'Performance-M',
  'performance-l': 'Performance-L',
};
const DEFAULT_SIZE = 'Standard-1X';
/** heroku.md §6.1: time_to_live max 86400; the minimum is undocumented (§9.8), we take 1. */
export const MAX_TIME_TO_LIVE = 86_400;
/** `env` keys, heroku.md §6.1. */
const ENV_KEY = /^\w+$/;

function isRunning(session: DynoSession | undefined): session is DynoSession {
  return session !== undefined && (session.state === 'starting' || session.state === 'up');
}

export function registerDynoRoutes(router: Router<ApiHandler>, services: PlatformServices): void {
  const { state } = services;

  const running = (app: App): DynoRecord[] => state.dynosOf(app.id).filter((d) => isRunning(services.sessions.get(d.id)));

  const findRunning = (app: App, request: ApiRequest): { dyno: DynoRecord; session: DynoSession } => {
    const key = request.params['dyno'] ?? '';
    const dyno = running(app).find((d) => d.id === key.toLowerCase() || d.name === key);
    const session = dyno ? services.sessions.get(dyno.id) : undefined;
    if (!dyno || !session) throw notFound('dyno', "Couldn't find that dyno.");
    return { dyno, session };
  };

  const render = (dyno: DynoRecord): unknown => {
    const session = services.sessions.get(dyno.id);
    return renderDyno(state, dyno, session?.state ?? 'down', dyno.attachUrl);
  };

  router.add('POST', '/apps/:app/dynos', (request) => {
    // Creating a dyno exposes the config vars to the command: write-protected or global (§2).
    requireScope(request, 'write-protected');
    const app = resolveApp(services, request, { write: true });
    // Fir has no attached one-off dynos (Dev Center "Working with One-Off Dynos": `heroku run` is
    // unavailable in Fir); the wording of Heroku's refusal is not documented (inferred).
    if (isFir(app) && request.body['attach'] === true) {
      throw invalidParams(`Attached one-off dynos (heroku run) are not available for Fir-generation apps like ${app.name}. Run the command inside an existing dyno (heroku run:inside) instead.`);
    }
    const body = new BodyReader(request.body);
    const command = body.requiredString('command');
    if (command.trim() === '') throw invalidParams('Invalid params: command must not be empty.');
    const attach = body.optionalBoolean('attach') ?? false;
    const forceNoTty = body.optionalBoolean('force_no_tty') ?? false;
    const sizeInput = body.optionalString('size');
    const size = sizeInput === undefined ? DEFAULT_SIZE : DYNO_SIZES[sizeInput.toLowerCase()];
    if (size === undefined) {
      throw invalidParams(`Invalid params: size ${JSON.stringify(sizeInput)} is not a valid dyno size (${Object.values(DYNO_SIZES).join(', ')}).`);
    }
    const timeToLive = body.optionalInteger('time_to_live', 1, MAX_TIME_TO_LIVE) ?? MAX_TIME_TO_LIVE;
    const env = body.optionalStringMap('env', ENV_KEY) ?? {};
    const type = body.optionalString('type') ?? 'run';

    const release = state.currentRelease(app.id);
    if (!release) throw notFound('release', "Couldn't find that release.");
    const taken = new Set(state.dynosOf(app.id).map((d) => d.name));
    let name = `${type}.${randomInt(1000, 10_000)}`;
    while (taken.has(name)) name = `${type}.${randomInt(1000, 10_000)}`;
    const id = randomUUID();
    const session = services.rendezvous.createSession({
      dynoId: id,
      dynoName: name,
      command,
      // Config vars, then the request's env on top (§6.1), plus what the platform sets itself.
      env: { ...Object.fromEntries(app.configVars), ...env, DYNO: name },
      timeToLiveSeconds: timeToLive,
      forceNoTty,
      attach,
    });
    const dyno: DynoRecord = {
      id,
      name,
      appId: app.id,
      command,
      size,
      type,
      releaseId: release.id,
      releaseVersion: release.version,
      attachUrl: session.attachUrl,
      createdAt: new Date(),
    };
    state.dynos.set(dyno.id, dyno);
    services.sessions.set(dyno.id, session);
    const actor = { id: request.auth.account.id, email: request.auth.account.email };
    services.publish(newEvent({ app, include: 'api:dyno', action: 'create', actor, data: dynoEventData(app, dyno, session.state) }));
    return { status: 201, body: render(dyno) };
  });

  router.add('GET', '/apps/:app/dynos', (request) => {
    requireScope(request, 'read');
    const app = resolveApp(services, request, { write: false });
    if (isFir(app)) {
      return listResponse(services, request, services.fir.state.dynosOf(app.id), [{ name: 'id', value: (d) => d.id }, { name: 'name', value: (d) => d.name }], (d) => renderFirDyno(services, d));
    }
    return listResponse(
      services,
      request,
      running(app),
      [
        { name: 'id', value: (d) => d.id },
        { name: 'name', value: (d) => d.name },
      ],
      render,
    );
  });

  router.add('GET', '/apps/:app/dynos/:dyno', (request) => {
    requireScope(request, 'read');
    const app = resolveApp(services, request, { write: false });
    if (isFir(app)) return { status: 200, body: renderFirDyno(services, findFirDyno(services, app, request.params['dyno'] ?? '')) };
    return { status: 200, body: render(findRunning(app, request).dyno) };
  });

  // heroku.md §6.2 "Stop/kill": answers `{}` at once; the dyno goes away shortly after.
  router.add('POST', '/apps/:app/dynos/:dyno/actions/stop', (request) => {
    requireScope(request, 'write');
    const app = resolveApp(services, request, { write: true });
    const { session } = findRunning(app, request);
    session.stop().catch(() => undefined);
    return { status: 202, body: {} };
  });
}

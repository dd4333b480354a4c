// Platform API routes of Fir apps (docs/heroku-fir.md): run-inside (`POST /apps/{app}/dynos/{dyno}`
// with `Accept: application/vnd.heroku+json; version=3.run-inside`, dyno.js), OCI images
// (pipelines/diff.js) and the account's SSH keys (keys/add.js, keys/remove.js).
import { randomUUID } from 'node:crypto';
import { utils as sshUtils } from 'ssh2';
import type { Router } from '../http-kit';
import type { App } from '../model';
import { endpointNotFound, HerokuApiError, invalidParams, notFound } from '../heroku-error';
import type { ApiHandler, ApiRequest } from '../platform-api';
import { BodyReader } from '../request-validation';
import { isoSeconds } from '../timestamps';
import { requireScope, resolveApp, type PlatformServices } from '../routes/route-support';
import { sshFingerprint, type AccountKey, type FirDyno } from './fir-state';

const RUN_INSIDE = /version\s*=\s*3\.run-inside\b/;
const ENV_KEY = /^\w+$/;

export const isFir = (app: App): boolean => app.generation === 'fir';

export function renderFirDyno(services: PlatformServices, dyno: FirDyno, attachUrl: string | null = null): Record<string, unknown> {
  const app = services.state.apps.get(dyno.appId);
  return {
    attach_url: attachUrl,
    command: dyno.command,
    created_at: isoSeconds(dyno.createdAt),
    id: dyno.id,
    name: dyno.name,
    release: { id: dyno.releaseId, version: dyno.releaseVersion },
    app: { id: dyno.appId, name: app?.name ?? '' },
    size: dyno.size,
    state: dyno.state,
    type: dyno.type,
    updated_at: isoSeconds(dyno.createdAt),
  };
}

export function findFirDyno(services: PlatformServices, app: App, key: string): FirDyno {
  const dyno = services.fir.state.dynosOf(app.id).find((d) => d.id === key.toLowerCase() || d.name === key);
  if (!dyno) throw notFound('dyno', "Couldn't find that dyno.");
  return dyno;
}

function renderKey(services: PlatformServices, key: AccountKey): Record<string, unknown> {
  return {
    comment: key.comment,
    created_at: isoSeconds(key.createdAt),
    email: services.state.accounts.get(key.accountId)?.email ?? '',
    fingerprint: key.fingerprint,
    id: key.id,
    public_key: key.publicKey,
    updated_at: isoSeconds(key.createdAt),
  };
}

export function registerFirRoutes(router: Router<ApiHandler>, services: PlatformServices): void {
  const { fir } = services;

  router.add('POST', '/apps/:app/dynos/:dyno', (request: ApiRequest) => {
    // Without the run-inside variant the route does not exist (dyno.js always sends it).
    if (!RUN_INSIDE.test(request.headers.accept ?? '')) throw endpointNotFound();
    requireScope(request, 'write-protected');
    const app = resolveApp(services, request, { write: true });
    if (!isFir(app)) throw invalidParams('Running a command inside an existing dyno is only available for Fir-generation apps. Use `heroku run` for Cedar-generation apps.');
    const dyno = findFirDyno(services, app, request.params['dyno'] ?? '');
    const body = new BodyReader(request.body);
    const command = body.requiredString('command');
    if (command.trim() === '') throw invalidParams('Invalid params: command must not be empty.');
    const env = body.optionalStringMap('env', ENV_KEY) ?? {};
    body.optionalBoolean('force_no_tty');
    if (request.body['size'] !== undefined) throw invalidParams('Invalid params: size cannot be set when running inside an existing dyno.');
    if (dyno.state !== 'up') throw new HerokuApiError(422, 'invalid_params', `Dyno ${dyno.name} is ${dyno.state}; a command can only run inside a dyno that is up.`);
    const accountId = request.auth.account.id;
    const session = fir.inside.createSession({
      appName: app.name,
      dynoName: dyno.name,
      command,
      env: { ...Object.fromEntries(app.configVars), ...env, DYNO: dyno.name },
      keys: () => fir.state.keysOf(accountId),
    });
    return { status: 201, body: renderFirDyno(services, dyno, session.attachUrl) };
  });

  router.add('GET', '/apps/:app/oci-images/:image', (request) => {
    requireScope(request, 'read');
    const app = resolveApp(services, request, { write: false });
    const image = fir.state.ociImages.get((request.params['image'] ?? '').toLowerCase());
    if (!image || image.appId !== app.id) throw notFound('oci_image', "Couldn't find that oci image.");
    return {
      status: 200,
      // An array, as pipelines/diff.js reads it (`ociImages[0]?.commit`).
      body: [
        {
          id: image.id,
          base_image_name: 'heroku/heroku:24-cnb',
          base_top_layer: `sha256:${image.id.replace(/-/g, '').padEnd(64, '0')}`,
          commit: image.commit,
          commit_description: image.commitDescription,
          image_repo: `registry.heroku.com/${app.name}`,
          digest: `sha256:${image.id.replace(/-/g, '').padEnd(64, 'f')}`,
          stack: { id: 'b8a4e0a4-1c4f-4a1e-9bb6-2e1d1b0f0c24', name: 'cnb' },
          process_types: { web: { name: 'web', display_cmd: 'npm start', command: ['npm'], args: ['start'], working_dir: '/workspace', default: true } },
          buildpacks: [{ id: 'heroku/nodejs', version: '3.4.0', homepage: 'https://github.com/heroku/buildpacks-nodejs' }],
          created_at: isoSeconds(image.createdAt),
          updated_at: isoSeconds(image.createdAt),
          architecture: 'arm64',
        },
      ],
    };
  });

  router.add('GET', '/account/keys', (request) => {
    requireScope(request, 'identity');
    return { status: 200, body: fir.state.keysOf(request.auth.account.id).map((k) => renderKey(services, k)) };
  });

  router.add('POST', '/account/keys', (request) => {
    requireScope(request, 'global');
    const publicKey = new BodyReader(request.body).requiredString('public_key').trim();
    const parsed = sshUtils.parseKey(publicKey);
    const parts = publicKey.split(/\s+/);
    if (parsed instanceof Error || parts.length < 2 || !/^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp\d+)$/.test(parts[0] ?? '')) {
      throw invalidParams('Invalid params: public_key is not a valid SSH public key.');
    }
    const blob = parsed.getPublicSSH();
    const accountId = request.auth.account.id;
    if (fir.state.keysOf(accountId).some((k) => k.blob.equals(blob))) throw invalidParams('Invalid params: that key is already in use by your account.');
    const key: AccountKey = { id: randomUUID(), accountId, publicKey, blob, comment: parts.slice(2).join(' '), fingerprint: sshFingerprint(blob), createdAt: new Date() };
    fir.state.keys.set(key.id, key);
    return { status: 201, body: renderKey(services, key) };
  });

  router.add('DELETE', '/account/keys/:key', (request) => {
    requireScope(request, 'global');
    const id = request.params['key'] ?? '';
    const key = fir.state.keysOf(request.auth.account.id).find((k) => k.id === id.toLowerCase() || k.fingerprint === id);
    if (!key) throw notFound('key', "Couldn't find that key.");
    fir.state.keys.delete(key.id);
    return { status: 200, body: renderKey(services, key) };
  });
}

// Changes other than deploys, each with the webhook events Heroku sends for it. Shapes of `data`
// (the Platform API representation of the resource) and where they come from:
//   api:release    config vars / add-on attachments: the release of heroku.md §5.2 with
//                  descriptions `Set FOO, BAR config vars`, `Remove FOO config vars` (heroku.md
//                  §5.2, ZULIP, REAL-RELDYNO) and `Attach DATABASE (@ref:<addon>)` /
//                  `Detach DATABASE (@ref:<addon>)` (Heroku's add-on attachment releases, as the
//                  CLI's `releases` lists them). No slug change: the current release's slug.
//   api:formation  SCHEMA `formation` {id, app{id,name}, command, created_at, quantity, size,
//                  type, updated_at}; Dev Center "Webhook events" / ZULIP formation_update.json.
//   api:addon      SCHEMA `add-on` {actions, addon_service{id,name}, app{id,name}, config_vars
//                  (names only), created_at, id, name, plan{id,name}, provider_id, state,
//                  updated_at, web_url}; ZULIP addon_create/addon_update/addon_destroy.json.
//   api:app        SCHEMA `app` (renderApp: the app itself, no `app` field, with `maintenance`
//                  and `name`); ZULIP app_update.json.
// previous_data stays `{}` as in real deliveries (heroku.md §4.3): receivers must keep their own
// "before".
import { randomBytes, randomUUID } from 'node:crypto';
import type { Account, Addon, App, Formation, Release } from './model';
import { newEvent, releaseEventData } from './event-payloads';
import { renderApp } from './representations';
import type { PlatformServices } from './routes/route-support';
import { isoSeconds } from './timestamps';

export interface ChangeOptions {
  /** Account id of who made the change (the actor); the app owner by default. */
  user?: string;
}

function actorOf(services: PlatformServices, app: App, options: ChangeOptions): Account {
  const user = services.state.accounts.get(options.user ?? app.ownerId);
  if (!user) throw new Error(`unknown account ${options.user ?? app.ownerId}`);
  return user;
}

const ref = (user: Account) => ({ id: user.id, email: user.email });

/** A new release that changes config only: create (pending) then the final update (succeeded, current). Returns its id. */
function configRelease(services: PlatformServices, app: App, user: Account, description: string): Release {
  const { state } = services;
  const current = state.currentRelease(app.id);
  const slug = current?.slugId ? state.slugs.get(current.slugId) : undefined;
  const now = new Date();
  const release: Release = {
    id: randomUUID(),
    appId: app.id,
    version: state.nextReleaseVersion(app.id),
    description,
    userId: user.id,
    slugId: current?.slugId ?? null,
    status: 'pending',
    current: false,
    releasePhase: false,
    createdAt: now,
    updatedAt: now,
  };
  state.releases.set(release.id, release);
  services.publish(newEvent({ app, include: 'api:release', action: 'create', actor: ref(user), data: releaseEventData(app, release, user, slug) }));
  for (const previous of state.releasesOf(app.id)) previous.current = false;
  release.status = 'succeeded';
  release.current = true;
  release.updatedAt = new Date();
  app.releasedAt = release.updatedAt;
  app.updatedAt = release.updatedAt;
  services.publish(newEvent({ app, include: 'api:release', action: 'update', actor: ref(user), data: releaseEventData(app, release, user, slug) }));
  return release;
}

/** `heroku config:set A=1 B=2`: one release `Set A, B config vars`. */
export function setConfigVars(services: PlatformServices, app: App, vars: Record<string, string>, options: ChangeOptions = {}): Release {
  const names = Object.keys(vars);
  if (names.length === 0) throw new Error('setConfigVars needs at least one variable');
  for (const [k, v] of Object.entries(vars)) app.configVars.set(k, v);
  return configRelease(services, app, actorOf(services, app, options), `Set ${names.join(', ')} config vars`);
}

/** `heroku config:unset A`: one release `Remove A config vars`. */
export function removeConfigVars(services: PlatformServices, app: App, names: string[], options: ChangeOptions = {}): Release {
  if (names.length === 0) throw new Error('removeConfigVars needs at least one variable');
  for (const k of names) app.configVars.delete(k);
  return configRelease(services, app, actorOf(services, app, options), `Remove ${names.join(', ')} config vars`);
}

function formationData(app: App, f: Formation): Record<string, unknown> {
  return {
    app: { id: app.id, name: app.name },
    command: f.command,
    created_at: isoSeconds(f.createdAt),
    id: f.id,
    quantity: f.quantity,
    size: f.size,
    type: f.type,
    updated_at: isoSeconds(f.updatedAt),
  };
}

/** `heroku ps:scale web=3:Standard-2X`: an api:formation event (create the first time a process type is scaled, then update). */
export function scale(services: PlatformServices, app: App, type: string, change: { quantity?: number; size?: string }, options: ChangeOptions = {}): Formation {
  const user = actorOf(services, app, options);
  const existing = [...services.state.formations.values()].find((f) => f.appId === app.id && f.type === type);
  const now = new Date();
  const formation: Formation = existing ?? { id: randomUUID(), appId: app.id, type, quantity: 0, size: 'Standard-1X', command: 'npm start', createdAt: now, updatedAt: now };
  formation.quantity = change.quantity ?? formation.quantity;
  formation.size = change.size ?? formation.size;
  formation.updatedAt = now;
  services.state.formations.set(formation.id, formation);
  services.publish(newEvent({ app, include: 'api:formation', action: existing ? 'update' : 'create', actor: ref(user), data: formationData(app, formation) }));
  return formation;
}

function addonData(app: App, a: Addon): Record<string, unknown> {
  return {
    actions: [],
    addon_service: { id: a.service.id, name: a.service.name },
    app: { id: app.id, name: app.name },
    billed_price: null,
    config_vars: a.state === 'deprovisioned' ? [] : [`${a.attachmentName}_URL`],
    created_at: isoSeconds(a.createdAt),
    id: a.id,
    name: a.name,
    plan: { id: a.plan.id, name: a.plan.name },
    provider_id: `resource-${a.id.slice(0, 8)}`,
    state: a.state,
    updated_at: isoSeconds(a.updatedAt),
    web_url: null,
  };
}

/**
 * `heroku addons:create heroku-postgresql:essential-0`: api:addon create (provisioning), update
 * (provisioned), and the attachment's config-var release `Attach DATABASE (@ref:<name>)`.
 */
export function createAddon(
  services: PlatformServices,
  app: App,
  input: { plan: string; attachmentName?: string; configValue?: string },
  options: ChangeOptions = {},
): Addon {
  const user = actorOf(services, app, options);
  const service = input.plan.split(':')[0] ?? input.plan;
  const now = new Date();
  const addon: Addon = {
    id: randomUUID(),
    appId: app.id,
    name: `${service.replace(/^heroku-/, '')}-${randomBytes(3).toString('hex')}-${Math.floor(10000 + Math.random() * 89999)}`,
    service: { id: randomUUID(), name: service },
    plan: { id: randomUUID(), name: input.plan },
    state: 'provisioning',
    attachmentName: input.attachmentName ?? 'DATABASE',
    createdAt: now,
    updatedAt: now,
  };
  services.state.addons.set(addon.id, addon);
  services.publish(newEvent({ app, include: 'api:addon', action: 'create', actor: ref(user), data: addonData(app, addon) }));
  addon.state = 'provisioned';
  addon.updatedAt = new Date();
  services.publish(newEvent({ app, include: 'api:addon', action: 'update', actor: ref(user), data: addonData(app, addon) }));
  app.configVars.set(`${addon.attachmentName}_URL`, input.configValue ?? `postgres://u:${randomBytes(8).toString('hex')}@db.example.com/d`);
  configRelease(services, app, user, `Attach ${addon.attachmentName} (@ref:${addon.name})`);
  return addon;
}

/** `heroku addons:upgrade <addon> <plan>`: one api:addon update with the new plan. */
export function changeAddonPlan(services: PlatformServices, app: App, addonName: string, plan: string, options: ChangeOptions = {}): Addon {
  const addon = addonOf(services, app, addonName);
  addon.plan = { id: randomUUID(), name: plan };
  addon.updatedAt = new Date();
  services.publish(newEvent({ app, include: 'api:addon', action: 'update', actor: ref(actorOf(services, app, options)), data: addonData(app, addon) }));
  return addon;
}

/** `heroku addons:destroy <addon>`: the detach release, then api:addon destroy. */
export function destroyAddon(services: PlatformServices, app: App, addonName: string, options: ChangeOptions = {}): Addon {
  const user = actorOf(services, app, options);
  const addon = addonOf(services, app, addonName);
  app.configVars.delete(`${addon.attachmentName}_URL`);
  configRelease(services, app, user, `Detach ${addon.attachmentName} (@ref:${addon.name})`);
  addon.state = 'deprovisioned';
  addon.updatedAt = new Date();
  services.state.addons.delete(addon.id);
  services.publish(newEvent({ app, include: 'api:addon', action: 'destroy', actor: ref(user), data: addonData(app, addon) }));
  return addon;
}

function addonOf(services: PlatformServices, app: App, name: string): Addon {
  const addon = [...services.state.addons.values()].find((a) => a.appId === app.id && a.name === name);
  if (!addon) throw new Error(`no add-on ${name} on ${app.name}`);
  return addon;
}

/** `heroku maintenance:on|off`: an api:app update. */
export function setMaintenance(services: PlatformServices, app: App, on: boolean, options: ChangeOptions = {}): void {
  app.maintenance = on;
  app.updatedAt = new Date();
  services.publish(newEvent({ app, include: 'api:app', action: 'update', actor: ref(actorOf(services, app, options)), data: renderApp(services.state, app) }));
}

/** `heroku apps:rename <new>`: the app answers to the new name only; an api:app update carries it. */
export function renameApp(services: PlatformServices, app: App, newName: string, options: ChangeOptions = {}): void {
  if (services.state.findApp(newName)) throw new Error(`app ${newName} already exists`);
  app.name = newName;
  app.updatedAt = new Date();
  services.publish(newEvent({ app, include: 'api:app', action: 'update', actor: ref(actorOf(services, app, options)), data: renderApp(services.state, app) }));
}

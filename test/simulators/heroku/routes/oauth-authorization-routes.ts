// GET /oauth/authorizations and DELETE /oauth/authorizations/{id} (heroku.md §2 "Revoke / uninstall").
import type { Router } from '../http-kit';
import type { Authorization } from '../model';
import { notFound } from '../heroku-error';
import type { ApiHandler } from '../platform-api';
import { renderAuthorization } from '../representations';
import { listResponse, requireScope, type PlatformServices } from './route-support';

export function registerOAuthAuthorizationRoutes(router: Router<ApiHandler>, services: PlatformServices): void {
  const { state } = services;

  const own = (accountId: string, id: string): Authorization => {
    const authorization = state.authorizations.get(id.toLowerCase());
    if (!authorization || authorization.revoked || authorization.accountId !== accountId) {
      throw notFound('authorization', "Couldn't find that authorization.");
    }
    return authorization;
  };

  // Authorizations expose token strings: managing them is a `global` matter (our reading, §9.2).
  router.add('GET', '/oauth/authorizations', (request) => {
    requireScope(request, 'global');
    return listResponse<Authorization>(
      services,
      request,
      state.authorizationsOf(request.auth.account.id),
      [{ name: 'id', value: (a) => a.id }],
      (a) => renderAuthorization(state, a),
    );
  });

  router.add('GET', '/oauth/authorizations/:authorization', (request) => {
    requireScope(request, 'global');
    return { status: 200, body: renderAuthorization(state, own(request.auth.account.id, request.params['authorization'] ?? '')) };
  });

  // Revoking kills the authorization's access and refresh tokens, including the one used here
  // (whether Heroku lets an authorization delete itself is [U], heroku.md §2; we allow it).
  router.add('DELETE', '/oauth/authorizations/:authorization', (request) => {
    requireScope(request, 'global');
    const authorization = own(request.auth.account.id, request.params['authorization'] ?? '');
    const body = renderAuthorization(state, authorization);
    services.tokens.revoke(authorization.id);
    return { status: 200, body };
  });
}

// The simulated Heroku Rendezvous server and one-off dyno runner (heroku.md §6–7).
// The Platform API simulator creates sessions through RendezvousServer.createSession.
export { RendezvousServer } from './rendezvous-server';
export { HANDSHAKE_LINE } from './dyno-session';
export { TEST_CA_PATH } from './tls-credentials';
export type {
  DynoEndReason,
  DynoProcessSpec,
  DynoSession,
  DynoState,
  RendezvousCertificate,
  RendezvousFaults,
  RendezvousServerOptions,
} from './types';

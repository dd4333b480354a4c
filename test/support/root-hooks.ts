// Mocha root hooks: global teardown of whatever the shared test harness started.
// The harness itself is lazy (see harness.ts) so simulator-only runs stay fast.
export const mochaHooks = {};

import { AuthFailureLimiter, type AuthFailureLimits } from '../middleware/auth-failure-limiter';

/**
 * Failed console sign-ins: per address, and in total so that guesses spread over many addresses
 * (or spoofed X-Forwarded-For) stay slow too. A person signing in can wait out a lockout; the
 * /api bearer check has no total (src/api/middleware/admin-auth.ts).
 */
export const SIGN_IN_LIMITS: AuthFailureLimits = { perClient: 10, total: 100, windowMs: 15 * 60 * 1000 };

export function signInLimiter(): AuthFailureLimiter {
  return new AuthFailureLimiter(SIGN_IN_LIMITS);
}

// Throttles password sign-ins before Auth is asked: hosted Auth sees every attempt from the dashboard's one
// address, so only the dashboard can count per email and per client address (in Postgres, shared by every
// dashboard process; supabase/migrations/20261202000600_dashboard_sign_in_throttle.sql).
import { createServiceRoleClient } from './supabase.server.ts';

/** Failed attempts allowed per email and per client address within the window. */
export const SIGN_IN_LIMITS = { perEmail: 10, perAddress: 30, windowSeconds: 15 * 60 } as const;

export type SignInTurn = { allowed: true; attemptId: string } | { allowed: false; retryAfter: number };

/** Counts an attempt, or says how long to wait. Throws when the throttle cannot be asked (fail closed). */
export async function beginSignIn(email: string, address: string): Promise<SignInTurn> {
  const { data, error } = await createServiceRoleClient().rpc('dashboard_sign_in_begin', {
    p_email: email,
    p_address: address,
    p_email_max: SIGN_IN_LIMITS.perEmail,
    p_address_max: SIGN_IN_LIMITS.perAddress,
    p_window_seconds: SIGN_IN_LIMITS.windowSeconds,
  });
  if (error) throw new Error(`sign-in throttle: ${error.message}`);
  const result = data as { attempt_id?: string; retry_after?: number };
  if (result.attempt_id) return { allowed: true, attemptId: result.attempt_id };
  return { allowed: false, retryAfter: Math.max(1, Number(result.retry_after) || 1) };
}

/** Un-counts an attempt that signed in (or that Auth could not answer): only wrong guesses count. */
export async function forgetSignIn(attemptId: string): Promise<void> {
  const { error } = await createServiceRoleClient().rpc('dashboard_sign_in_forget', { p_attempt_id: attemptId });
  if (error) throw new Error(`sign-in throttle: ${error.message}`);
}

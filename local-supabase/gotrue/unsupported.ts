// GoTrue flows the stand-in does not implement: each answers GoTrue's own "feature is off" error (404
// feature_disabled) naming the flow, never a bare Not Found nor a success that does something else (issue 17).
// Not a 501: auth-js treats every 5xx as a retryable network failure and drops the message.
import { AuthError } from './errors.ts';

/** Method + path pattern → the flow's name, as a supabase-js user knows it. */
const FLOWS: [string, RegExp, string][] = [
  ['POST', /^\/otp$/, 'one-time passwords and magic links (signInWithOtp)'],
  ['POST', /^\/magiclink$/, 'magic links (signInWithOtp)'],
  ['POST', /^\/recover$/, 'password recovery (resetPasswordForEmail)'],
  ['POST', /^\/resend$/, 'resending confirmation mails (resend)'],
  ['*', /^\/reauthenticate$/, 'reauthentication (reauthenticate)'],
  ['*', /^\/(authorize|callback)$/, 'OAuth sign-in (signInWithOAuth)'],
  ['*', /^\/oauth(\/|$)/, 'the OAuth 2.1 server'],
  ['*', /^\/sso(\/|$)/, 'SSO (signInWithSSO)'],
  ['*', /^\/factors(\/|$)/, 'multi-factor authentication (mfa)'],
  ['*', /^\/user\/identities(\/|$)/, 'identity linking (linkIdentity / unlinkIdentity)'],
  ['*', /^\/passkeys?(\/|$)/, 'passkeys'],
  ['POST', /^\/admin\/generate_link$/, 'admin.generateLink'],
  ['*', /^\/admin\/users\/[^/]+\/factors(\/|$)/, 'multi-factor authentication admin (admin.mfa)'],
  ['*', /^\/admin\/sso(\/|$)/, 'SSO providers admin'],
  ['*', /^\/admin\/oauth(\/|$)/, 'OAuth clients admin (admin.oauth)'],
  ['*', /^\/admin\/audit$/, 'the audit log'],
];

/** GoTrue's own `/token` grants the stand-in lacks (an unknown grant stays GoTrue's 400 unsupported_grant_type). */
const GRANTS: Record<string, string> = {
  pkce: 'the PKCE code exchange (exchangeCodeForSession)',
  id_token: 'ID-token sign-in (signInWithIdToken)',
  web3: 'Web3 sign-in (signInWithWeb3)',
};

export function notImplemented(flow: string): AuthError {
  return new AuthError(404, 'feature_disabled', `The local Supabase stand-in does not implement ${flow}; hosted Supabase Auth does (see local-supabase/README.md)`);
}

/** A handler that refuses the flow, for a route the stand-in lacks; undefined when GoTrue has no such route either. */
export function unsupportedRoute(method: string, path: string): (() => never) | undefined {
  const hit = FLOWS.find(([m, re]) => (m === '*' || m === method) && re.test(path));
  if (!hit) return undefined;
  return () => {
    throw notImplemented(hit[2]);
  };
}

/** Throws for a known grant the stand-in lacks. */
export function refuseGrant(grant: string | null): void {
  if (grant && GRANTS[grant]) throw notImplemented(GRANTS[grant]);
}

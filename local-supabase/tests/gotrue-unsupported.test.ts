// Conformance: an Auth flow the stand-in does not implement fails loudly through supabase-js, with GoTrue's
// 404 feature_disabled naming the flow, never a bare Not Found or a success that does something else (issue 17).
import { randomUUID } from 'node:crypto';
import { AuthApiError } from '@supabase/supabase-js';
import { describe, expect, it } from 'vitest';
import { client, serviceClient, uniqueEmail } from '../../tests/support/stack.ts';

function expectNotImplemented(error: unknown, flow: RegExp) {
  expect(error).toBeInstanceOf(AuthApiError);
  const e = error as AuthApiError;
  expect(e.status).toBe(404);
  expect(e.code).toBe('feature_disabled');
  expect(e.message).toMatch(/does not implement/);
  expect(e.message).toMatch(flow);
}

describe('auth flows the stand-in lacks', () => {
  it('refuses magic links, password recovery and resend by name', async () => {
    const auth = client().auth;
    expectNotImplemented((await auth.signInWithOtp({ email: uniqueEmail('otp') })).error, /signInWithOtp/);
    expectNotImplemented((await auth.resetPasswordForEmail(uniqueEmail('recover'))).error, /resetPasswordForEmail/);
    expectNotImplemented((await auth.resend({ type: 'signup', email: uniqueEmail('resend') })).error, /resend/);
  });

  it('refuses ID-token and SSO sign-in by name', async () => {
    const auth = client().auth;
    expectNotImplemented((await auth.signInWithIdToken({ provider: 'google', token: 'x.y.z' })).error, /signInWithIdToken/);
    expectNotImplemented((await auth.signInWithSSO({ domain: 'example.com' })).error, /signInWithSSO/);
  });

  it('refuses admin links and MFA admin by name', async () => {
    const admin = serviceClient().auth.admin;
    expectNotImplemented((await admin.generateLink({ type: 'magiclink', email: uniqueEmail('link') })).error, /generateLink/);
    expectNotImplemented((await admin.mfa.listFactors({ userId: randomUUID() })).error, /admin\.mfa/);
  });
});

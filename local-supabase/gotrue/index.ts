// The /auth/v1 service: the GoTrue subset supabase-js uses (reference §3), on real auth.* tables. This file
// routes a request and turns failures into GoTrue's error bodies; the routes are in
//   service-context.ts  request shape, transactions, the caller's JWT / user / session, admin check
//   settings.ts         /health, /settings, /.well-known/jwks.json
//   sign-in.ts          /signup, /token (password, refresh_token)
//   user.ts             /user (get, update), /logout
//   admin.ts            /admin/users
//   invite.ts           /invite, /verify and the confirmation mail
//   unsupported.ts      flows that answer feature_disabled with their name
// with insert-user.ts (a new user row), users.ts (user JSON, sessions, tokens), validate.ts (input checks),
// rate-limit.ts and errors.ts.
import type { ServiceFactory, StackContext } from '../context.ts';
import { createAdminRoutes } from './admin.ts';
import { AuthError, sendAuthError, sendAuthJson } from './errors.ts';
import { insertUser } from './insert-user.ts';
import { createLinkRoutes } from './invite.ts';
import { type AuthHandler, type AuthRequest, createAuthServiceContext, type Json, parseBody } from './service-context.ts';
import { createSettingsRoutes } from './settings.ts';
import { createSignInRoutes } from './sign-in.ts';
import { refuseGrant, unsupportedRoute } from './unsupported.ts';
import { createUserRoutes } from './user.ts';
import { checkEmail } from './validate.ts';

export const createAuthService: ServiceFactory = (ctx: StackContext) => {
  const s = createAuthServiceContext(ctx);
  const links = createLinkRoutes({
    ctx,
    tx: s.tx,
    requireAdmin: s.requireAdmin,
    checkEmail,
    createInvitedUser: (db, email, userMeta) => insertUser(ctx, db, { email, password: null, confirmed: false, userMeta, appMeta: {}, anonymous: false }),
  });
  const signIn = createSignInRoutes(s, links);
  const admin = createAdminRoutes(s);

  const routes: Record<string, AuthHandler> = {
    ...createSettingsRoutes(s.auth, s.cfg.jwtKeys),
    'POST /signup': signIn.signup,
    ...links.routes,
    'POST /token': async (r) => {
      const grant = r.url.searchParams.get('grant_type');
      if (grant === 'password') return signIn.passwordGrant(r);
      if (grant === 'refresh_token') return signIn.refreshGrant(r);
      refuseGrant(grant);
      sendAuthJson(r.req, r.res, 400, { error: 'unsupported_grant_type', error_description: `unsupported_grant_type` });
    },
    ...createUserRoutes(s),
    ...admin.routes,
  };

  return {
    async handle(req, res, path, url) {
      let parsed: Json | undefined;
      const r: AuthRequest = { req, res, path, url, body: async () => (parsed ??= await parseBody(req)) };
      try {
        const key = `${req.method} ${path.replace(/\/+$/, '') || '/'}`;
        const handler =
          routes[key] ??
          unsupportedRoute(req.method ?? 'GET', path.replace(/\/+$/, '')) ??
          (path.startsWith('/admin/users/') ? admin.byId[req.method ?? ''] : undefined);
        if (!handler) throw new AuthError(404, 'not_found', 'Not Found');
        await handler(r);
      } catch (err) {
        if (err instanceof AuthError) return sendAuthError(req, res, err);
        const e = err as { code?: string; message: string };
        if (e.code === '23505') return sendAuthError(req, res, new AuthError(422, 'email_exists', 'A user with this email address has already been registered'));
        if (e.code === '22P02') return sendAuthError(req, res, new AuthError(400, 'validation_failed', e.message));
        ctx.log('auth', `unexpected error: ${(err as Error).stack}`);
        sendAuthError(req, res, new AuthError(500, 'unexpected_failure', 'Unexpected failure, please check server logs for more information'));
      }
    },
  };
};

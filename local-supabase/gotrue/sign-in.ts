// POST /signup (email + password, or anonymous) and POST /token's password and refresh_token grants.
import bcrypt from 'bcryptjs';
import { AuthError, sendAuthJson } from './errors.ts';
import { insertUser } from './insert-user.ts';
import type { createLinkRoutes } from './invite.ts';
import { clientAddress, HourlyLimiter } from './rate-limit.ts';
import type { AuthHandler, AuthServiceContext, Json } from './service-context.ts';
import { createSession, findUserByEmail, findUserById, insertRefreshToken, sessionMethod, sessionResponse, userJson } from './users.ts';
import { checkEmail, checkPassword, metadataObject } from './validate.ts';

export function createSignInRoutes(s: AuthServiceContext, links: ReturnType<typeof createLinkRoutes>) {
  const { ctx, cfg, auth: a, pool, tx } = s;
  const anonymousSignIns = new HourlyLimiter(a.anonymousUsersPerHour);

  const signup: AuthHandler = async ({ req, res, url, body }) => {
    const b = await body();
    const email = b.email;
    const phone = b.phone;
    const data = metadataObject(b.data, 'data');
    if (!email && !phone) {
      if (!a.enableAnonymousSignIns) throw new AuthError(422, 'anonymous_provider_disabled', 'Anonymous sign-ins are disabled');
      if (!anonymousSignIns.take(clientAddress(req, a.rateLimitHeader))) {
        throw new AuthError(429, 'over_request_rate_limit', 'Request rate limit reached');
      }
      const session = await tx(async (db) => {
        const user = await insertUser(ctx, db, { userMeta: data, appMeta: {}, anonymous: true, confirmed: false });
        const created = await createSession(cfg, db, user, 'anonymous', req.headers['user-agent']);
        await db.query('update auth.users set last_sign_in_at = now() where id = $1', [user.id]);
        return created;
      });
      return sendAuthJson(req, res, 200, session);
    }
    if (!a.enableSignup) throw new AuthError(422, 'signup_disabled', 'Signups not allowed for this instance');
    if (email && !a.emailSignup) throw new AuthError(400, 'email_provider_disabled', 'Email signups are disabled');
    if (phone && !email) throw new AuthError(422, 'phone_provider_disabled', 'Unsupported phone provider');
    const cleanEmail = checkEmail(email);
    const password = checkPassword(b.password, a.minimumPasswordLength);
    const out = await tx(async (db) => {
      const existing = await findUserByEmail(db, cleanEmail);
      if (existing) {
        if (existing.email_confirmed_at || !a.emailConfirmations) throw new AuthError(422, 'user_already_exists', 'User already registered');
      }
      const user = await insertUser(ctx, db, { email: cleanEmail, password, confirmed: !a.emailConfirmations, userMeta: data, appMeta: {}, anonymous: false });
      if (a.emailConfirmations) {
        // No session until the address is confirmed through the mailed link.
        const mail = await links.confirmationMail(db, user, url.searchParams.get('redirect_to'));
        return { user: await userJson(db, (await findUserById(db, user.id))!), mail };
      }
      await db.query('update auth.users set last_sign_in_at = now() where id = $1', [user.id]);
      user.last_sign_in_at = new Date();
      return createSession(cfg, db, user, 'password', req.headers['user-agent']);
    });
    if ('mail' in out) links.send(out.mail);
    sendAuthJson(req, res, 200, 'user' in out && !('access_token' in out) ? out.user : out);
  };

  const passwordGrant: AuthHandler = async ({ req, res, body }) => {
    const b = await body();
    if (typeof b.password !== 'string' || (!b.email && !b.phone)) {
      throw new AuthError(400, 'validation_failed', 'missing email or phone');
    }
    // GoTrue's email provider switch ([auth.email] enable_signup) turns off email logins too, not only sign-ups.
    if (b.email && !a.emailSignup) throw new AuthError(422, 'email_provider_disabled', 'Email logins are disabled');
    const user = b.email ? await findUserByEmail(pool, String(b.email)) : null;
    const ok = user?.encrypted_password ? await bcrypt.compare(b.password, user.encrypted_password) : false;
    if (!user || !ok) throw new AuthError(400, 'invalid_credentials', 'Invalid login credentials');
    if (user.banned_until && user.banned_until > new Date()) throw new AuthError(400, 'user_banned', 'User is banned');
    if (!user.email_confirmed_at && a.emailConfirmations) throw new AuthError(400, 'email_not_confirmed', 'Email not confirmed');
    const session = await tx(async (db) => {
      await db.query('update auth.users set last_sign_in_at = now() where id = $1', [user.id]);
      await db.query(`update auth.identities set last_sign_in_at = now() where user_id = $1 and provider = 'email'`, [user.id]);
      user.last_sign_in_at = new Date();
      return createSession(cfg, db, user, 'password', req.headers['user-agent']);
    });
    const extra: Json = {};
    if ([...b.password].length < a.minimumPasswordLength) {
      extra.weak_password = { reasons: ['length'], message: `Password should be at least ${a.minimumPasswordLength} characters.` };
    }
    sendAuthJson(req, res, 200, { ...session, ...extra });
  };

  const refreshGrant: AuthHandler = async ({ req, res, body }) => {
    const b = await body();
    const presented = b.refresh_token;
    if (typeof presented !== 'string' || !presented) {
      return sendAuthJson(req, res, 400, { error: 'invalid_request', error_description: 'refresh_token required' });
    }
    const session = await tx(async (db) => {
      const { rows } = await db.query(
        `select rt.*, extract(epoch from (now() - rt.updated_at)) as age_seconds
           from auth.refresh_tokens rt where rt.token = $1 for update`,
        [presented],
      );
      const token = rows[0];
      if (!token?.session_id) throw new AuthError(400, 'refresh_token_not_found', 'Invalid Refresh Token: Refresh Token Not Found');
      const user = await findUserById(db, token.user_id);
      if (!user) throw new AuthError(400, 'refresh_token_not_found', 'Invalid Refresh Token: Refresh Token Not Found');
      if (user.banned_until && user.banned_until > new Date()) throw new AuthError(400, 'user_banned', 'User is banned');
      let next: string;
      if (token.revoked) {
        // The parent of the still-active token gets that same active token back.
        const child = await db.query(`select token from auth.refresh_tokens where parent = $1 and revoked = false order by id desc limit 1`, [presented]);
        if (child.rows[0]) {
          next = child.rows[0].token;
        } else if (Number(token.age_seconds) < a.refreshTokenReuseInterval) {
          next = await insertRefreshToken(db, user.id, token.session_id, presented);
        } else {
          if (a.refreshTokenRotation) {
            // Reuse outside the window: treat as stolen and revoke the whole family (session), then refuse.
            await db.query('update auth.refresh_tokens set revoked = true, updated_at = now() where session_id = $1', [token.session_id]);
          }
          return null;
        }
      } else {
        await db.query('update auth.refresh_tokens set revoked = true, updated_at = now() where id = $1', [token.id]);
        next = await insertRefreshToken(db, user.id, token.session_id, presented);
      }
      await db.query('update auth.sessions set refreshed_at = now(), updated_at = now() where id = $1', [token.session_id]);
      return sessionResponse(cfg, db, user, token.session_id, next, await sessionMethod(db, token.session_id, user));
    });
    if (!session) throw new AuthError(400, 'refresh_token_already_used', 'Invalid Refresh Token: Already Used');
    sendAuthJson(req, res, 200, session);
  };

  return { signup, passwordGrant, refreshGrant };
}

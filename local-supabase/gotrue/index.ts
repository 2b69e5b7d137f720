// The /auth/v1 service: the GoTrue subset supabase-js uses (reference §3), on real auth.* tables.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import bcrypt from 'bcryptjs';
import type pg from 'pg';
import { readBody, type ServiceFactory, type StackContext } from '../context.ts';
import { type Claims, verifyJwt } from '../jwt.ts';
import { AuthError, sendAuthError, sendAuthJson } from './errors.ts';
import { createLinkRoutes } from './invite.ts';
import { clientAddress, HourlyLimiter } from './rate-limit.ts';
import { refuseGrant, unsupportedRoute } from './unsupported.ts';
import {
  AMR_CLAIMS_DDL,
  createSession,
  findUserByEmail,
  findUserById,
  insertRefreshToken,
  sessionMethod,
  sessionResponse,
  type UserRow,
  userJson,
} from './users.ts';
import { checkEmailFormat, pagination } from './validate.ts';

const ADMIN_ROLES = new Set(['service_role', 'supabase_admin']);
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NIL_UUID = '00000000-0000-0000-0000-000000000000';

type Json = Record<string, any>;

interface Request {
  req: IncomingMessage;
  res: ServerResponse;
  path: string;
  url: URL;
  body: () => Promise<Json>;
}

export const createAuthService: ServiceFactory = (ctx: StackContext) => {
  const { cfg, pool } = ctx;
  const a = cfg.auth;
  const anonymousSignIns = new HourlyLimiter(a.anonymousUsersPerHour);

  let amrClaims: Promise<unknown> | null = null;
  async function tx<T>(fn: (db: pg.PoolClient) => Promise<T>): Promise<T> {
    // Once per service: older local data folders lack auth.mfa_amr_claims (retried if Postgres was down).
    await (amrClaims ??= pool.query(AMR_CLAIMS_DDL).catch((err) => {
      amrClaims = null;
      throw err;
    }));
    const db = await pool.connect();
    try {
      await db.query('begin');
      const out = await fn(db);
      await db.query('commit');
      return out;
    } catch (err) {
      await db.query('rollback').catch(() => undefined);
      throw err;
    } finally {
      db.release();
    }
  }

  async function parseBody(req: IncomingMessage): Promise<Json> {
    const raw = (await readBody(req)).toString('utf8');
    if (!raw.trim()) return {};
    try {
      const v = JSON.parse(raw);
      if (v && typeof v === 'object' && !Array.isArray(v)) return v as Json;
    } catch (err) {
      throw new AuthError(400, 'bad_json', `Could not parse request body as JSON: ${(err as Error).message}`);
    }
    throw new AuthError(400, 'bad_json', 'Could not parse request body as JSON: expected an object');
  }

  function bearer(req: IncomingMessage): string {
    const h = req.headers.authorization;
    const m = h ? /^Bearer\s+(\S+)$/i.exec(h) : null;
    if (!m) throw new AuthError(401, 'no_authorization', 'This endpoint requires a valid Bearer token');
    return m[1]!;
  }

  async function claimsOf(req: IncomingMessage): Promise<Claims> {
    try {
      return await verifyJwt(cfg.jwtSecret, bearer(req));
    } catch (err) {
      if (err instanceof AuthError) throw err;
      throw new AuthError(403, 'bad_jwt', `invalid JWT: unable to parse or verify signature, ${(err as Error).message}`);
    }
  }

  /** The signed-in user and session of a request's JWT. */
  async function currentUser(req: IncomingMessage): Promise<{ user: UserRow; claims: Claims; sessionId: string | null }> {
    const claims = await claimsOf(req);
    if (!claims.sub) throw new AuthError(403, 'bad_jwt', 'invalid claim: missing sub claim');
    // GoTrue's order: the user of the sub claim first, then the session of the session_id claim.
    if (!UUID_RE.test(claims.sub)) throw new AuthError(400, 'bad_jwt', 'invalid claim: sub claim must be a UUID');
    const user = await findUserById(pool, claims.sub);
    if (!user) throw new AuthError(403, 'user_not_found', 'User from sub claim in JWT does not exist');
    const sessionId = typeof claims.session_id === 'string' && claims.session_id && claims.session_id !== NIL_UUID ? claims.session_id : null;
    if (sessionId) {
      if (!UUID_RE.test(sessionId)) throw new AuthError(403, 'bad_jwt', 'invalid claim: session_id claim must be a UUID');
      const { rowCount } = await pool.query('select 1 from auth.sessions where id = $1', [sessionId]);
      if (!rowCount) throw new AuthError(403, 'session_not_found', 'Session from session_id claim in JWT does not exist');
    }
    return { user, claims, sessionId };
  }

  async function requireAdmin(req: IncomingMessage): Promise<void> {
    const claims = await claimsOf(req);
    if (!ADMIN_ROLES.has(String(claims.role))) throw new AuthError(403, 'not_admin', 'User not allowed');
  }

  function checkPassword(password: unknown): string {
    if (typeof password !== 'string' || password === '') throw new AuthError(400, 'validation_failed', 'Signup requires a valid password');
    if (Buffer.byteLength(password) > 72) throw new AuthError(400, 'validation_failed', 'Password cannot be longer than 72 characters');
    if ([...password].length < a.minimumPasswordLength) {
      throw new AuthError(422, 'weak_password', `Password should be at least ${a.minimumPasswordLength} characters.`, {
        weak_password: { reasons: ['length'] },
      });
    }
    return password;
  }

  function checkEmail(email: unknown): string {
    if (typeof email !== 'string') throw new AuthError(400, 'validation_failed', 'Unable to validate email address: invalid format');
    checkEmailFormat(email.trim());
    return email.trim().toLowerCase();
  }

  const hash = (password: string) => bcrypt.hash(password, 10);

  function metadataObject(v: unknown, field: string): Json {
    if (v === undefined || v === null) return {};
    if (typeof v !== 'object' || Array.isArray(v)) throw new AuthError(400, 'validation_failed', `${field} must be an object`);
    return v as Json;
  }

  /** Inserts a user (+ email identity) in the caller's transaction; triggers on auth.users run here. */
  async function insertUser(
    db: pg.ClientBase,
    u: { id?: string; email?: string | null; phone?: string | null; password?: string | null; confirmed: boolean; phoneConfirmed?: boolean; userMeta: Json; appMeta: Json; anonymous: boolean; role?: string },
  ): Promise<UserRow> {
    const id = u.id ?? randomUUID();
    const appMeta = u.anonymous ? { ...u.appMeta } : { provider: u.email ? 'email' : 'phone', providers: [u.email ? 'email' : 'phone'], ...u.appMeta };
    const userMeta = u.confirmed && u.email ? { ...u.userMeta, email_verified: true } : u.userMeta;
    let row: UserRow;
    try {
      const { rows } = await db.query<UserRow>(
        `insert into auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at, phone, phone_confirmed_at,
           raw_app_meta_data, raw_user_meta_data, created_at, updated_at, is_anonymous, is_sso_user)
         values ('00000000-0000-0000-0000-000000000000', $1, 'authenticated', $2, $3, $4, $5, $6, $7, $8, $9, now(), now(), $10, false)
         returning *`,
        [
          id,
          u.role ?? 'authenticated',
          u.email ?? null,
          u.password ? await hash(u.password) : '',
          u.confirmed && u.email ? new Date() : null,
          u.phone ?? null,
          u.phoneConfirmed && u.phone ? new Date() : null,
          appMeta,
          userMeta,
          u.anonymous,
        ],
      );
      row = rows[0]!;
    } catch (err) {
      const e = err as { code?: string; message: string };
      if (e.code === '23505') throw err;
      ctx.log('auth', `saving new user failed: ${e.message}`);
      throw new AuthError(500, 'unexpected_failure', 'Database error saving new user');
    }
    if (!u.anonymous && u.email) {
      await db.query(
        `insert into auth.identities (provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
         values ($1::text, $2::uuid, $3, 'email', now(), now(), now())`,
        [id, id, { sub: id, email: u.email, email_verified: u.confirmed, phone_verified: false }],
      );
    }
    return row;
  }

  // Invite and verify (email links) live in invite.ts; they create users the way insertUser does.
  const links = createLinkRoutes({
    ctx,
    tx,
    requireAdmin,
    checkEmail,
    createInvitedUser: (db, email, userMeta) => insertUser(db, { email, password: null, confirmed: false, userMeta, appMeta: {}, anonymous: false }),
  });

  async function signup({ req, res, url, body }: Request) {
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
        const user = await insertUser(db, { userMeta: data, appMeta: {}, anonymous: true, confirmed: false });
        const s = await createSession(cfg, db, user, 'anonymous', req.headers['user-agent']);
        await db.query('update auth.users set last_sign_in_at = now() where id = $1', [user.id]);
        return s;
      });
      return sendAuthJson(req, res, 200, session);
    }
    if (!a.enableSignup) throw new AuthError(422, 'signup_disabled', 'Signups not allowed for this instance');
    if (email && !a.emailSignup) throw new AuthError(400, 'email_provider_disabled', 'Email signups are disabled');
    if (phone && !email) throw new AuthError(422, 'phone_provider_disabled', 'Unsupported phone provider');
    const cleanEmail = checkEmail(email);
    const password = checkPassword(b.password);
    const out = await tx(async (db) => {
      const existing = await findUserByEmail(db, cleanEmail);
      if (existing) {
        if (existing.email_confirmed_at || !a.emailConfirmations) throw new AuthError(422, 'user_already_exists', 'User already registered');
      }
      const user = await insertUser(db, { email: cleanEmail, password, confirmed: !a.emailConfirmations, userMeta: data, appMeta: {}, anonymous: false });
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
  }

  async function passwordGrant({ req, res, body }: Request) {
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
  }

  async function refreshGrant({ req, res, body }: Request) {
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
  }

  async function getUser({ req, res }: Request) {
    const { user } = await currentUser(req);
    sendAuthJson(req, res, 200, await userJson(pool, user));
  }

  async function updateUser({ req, res, body }: Request) {
    const { user, sessionId } = await currentUser(req);
    const b = await body();
    const updated = await tx(async (db) => {
      if (b.password !== undefined) {
        const password = checkPassword(b.password);
        if (user.encrypted_password && (await bcrypt.compare(password, user.encrypted_password))) {
          throw new AuthError(422, 'same_password', 'New password should be different from the old password.');
        }
        await db.query('update auth.users set encrypted_password = $2, updated_at = now() where id = $1', [user.id, await hash(password)]);
        // A password change signs the user out everywhere else.
        await db.query('delete from auth.sessions where user_id = $1 and id is distinct from $2', [user.id, sessionId]);
      }
      if (b.email !== undefined && b.email !== user.email) {
        const email = checkEmail(b.email);
        const other = await findUserByEmail(db, email);
        if (other && other.id !== user.id) throw new AuthError(422, 'email_exists', 'A user with this email address has already been registered');
        await db.query(
          `update auth.users set email = $2, email_confirmed_at = coalesce(email_confirmed_at, now()), is_anonymous = false, updated_at = now(),
             raw_app_meta_data = case when is_anonymous then jsonb_build_object('provider','email','providers',jsonb_build_array('email')) || coalesce(raw_app_meta_data,'{}') else raw_app_meta_data end
           where id = $1`,
          [user.id, email],
        );
        await db.query(
          `insert into auth.identities (provider_id, user_id, identity_data, provider, created_at, updated_at)
           values ($1::text, $2::uuid, $3, 'email', now(), now())
           on conflict (provider_id, provider) do update set identity_data = excluded.identity_data, updated_at = now()`,
          [user.id, user.id, { sub: user.id, email, email_verified: true, phone_verified: false }],
        );
      }
      if (b.data !== undefined) {
        const data = metadataObject(b.data, 'data');
        // Merge; a null value deletes the key.
        await db.query(
          `update auth.users set raw_user_meta_data = jsonb_strip_nulls(coalesce(raw_user_meta_data, '{}') || $2::jsonb), updated_at = now() where id = $1`,
          [user.id, JSON.stringify(data)],
        );
      }
      return (await findUserById(db, user.id))!;
    });
    sendAuthJson(req, res, 200, await userJson(pool, updated));
  }

  async function logout({ req, res, url }: Request) {
    const { user, sessionId } = await currentUser(req);
    const scope = url.searchParams.get('scope') ?? 'global';
    if (scope === 'local') await pool.query('delete from auth.sessions where id = $1', [sessionId]);
    else if (scope === 'others') await pool.query('delete from auth.sessions where user_id = $1 and id is distinct from $2', [user.id, sessionId]);
    else if (scope === 'global') await pool.query('delete from auth.sessions where user_id = $1', [user.id]);
    else throw new AuthError(400, 'validation_failed', `Unsupported logout scope "${scope}"`);
    res.writeHead(204, req.headers['x-supabase-api-version'] ? { 'X-Supabase-Api-Version': '2024-01-01' } : {});
    res.end();
  }

  function banUntil(duration: unknown): Date | null | undefined {
    if (duration === undefined) return undefined;
    if (duration === 'none') return null;
    const m = typeof duration === 'string' ? /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(duration) : null;
    if (!m || duration === '') throw new AuthError(400, 'validation_failed', 'invalid format for ban duration');
    const secs = Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
    return new Date(Date.now() + secs * 1000);
  }

  async function adminCreate({ req, res, body }: Request) {
    await requireAdmin(req);
    const b = await body();
    const email = b.email ? checkEmail(b.email) : null;
    if (!email && !b.phone) throw new AuthError(400, 'validation_failed', 'Unable to validate email address: invalid format');
    const password = b.password === undefined || b.password === null ? null : checkPassword(b.password);
    const user = await tx(async (db) => {
      if (email && (await findUserByEmail(db, email))) {
        throw new AuthError(422, 'email_exists', 'A user with this email address has already been registered');
      }
      const created = await insertUser(db, {
        id: typeof b.id === 'string' ? b.id : undefined,
        email,
        phone: b.phone ?? null,
        password,
        confirmed: Boolean(b.email_confirm),
        phoneConfirmed: Boolean(b.phone_confirm),
        userMeta: metadataObject(b.user_metadata ?? b.data, 'user_metadata'),
        appMeta: metadataObject(b.app_metadata, 'app_metadata'),
        anonymous: false,
        role: typeof b.role === 'string' ? b.role : undefined,
      });
      const ban = banUntil(b.ban_duration);
      if (ban !== undefined) await db.query('update auth.users set banned_until = $2 where id = $1', [created.id, ban]);
      return (await findUserById(db, created.id))!;
    });
    sendAuthJson(req, res, 200, await userJson(pool, user));
  }

  async function adminList({ req, res, url }: Request) {
    await requireAdmin(req);
    const asked = pagination(url);
    const page = Math.max(1, asked.page);
    const perPage = Math.min(1000, Math.max(1, asked.perPage));
    const total = Number((await pool.query('select count(*)::int as n from auth.users where deleted_at is null')).rows[0].n);
    const { rows } = await pool.query<UserRow>(
      'select * from auth.users where deleted_at is null order by created_at desc, id limit $1 offset $2',
      [perPage, (page - 1) * perPage],
    );
    const users = await Promise.all(rows.map((u) => userJson(pool, u)));
    const last = Math.max(1, Math.ceil(total / perPage));
    const links: string[] = [];
    if (page < last) links.push(`</admin/users?page=${page + 1}&per_page=${perPage}>; rel="next"`);
    links.push(`</admin/users?page=${last}&per_page=${perPage}>; rel="last"`);
    sendAuthJson(req, res, 200, { users, aud: 'authenticated' }, { 'X-Total-Count': String(total), Link: links.join(', ') });
  }

  function userIdFrom(path: string): string {
    const id = path.slice('/admin/users/'.length);
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw new AuthError(404, 'user_not_found', 'User not found');
    return id;
  }

  async function adminGet({ req, res, path }: Request) {
    await requireAdmin(req);
    const user = await findUserById(pool, userIdFrom(path));
    if (!user) throw new AuthError(404, 'user_not_found', 'User not found');
    sendAuthJson(req, res, 200, await userJson(pool, user));
  }

  async function adminUpdate({ req, res, path, body }: Request) {
    await requireAdmin(req);
    const id = userIdFrom(path);
    const b = await body();
    const user = await tx(async (db) => {
      const current = await findUserById(db, id);
      if (!current) throw new AuthError(404, 'user_not_found', 'User not found');
      if (b.email !== undefined && b.email !== current.email) {
        const email = checkEmail(b.email);
        const other = await findUserByEmail(db, email);
        if (other && other.id !== id) throw new AuthError(422, 'email_exists', 'A user with this email address has already been registered');
        await db.query('update auth.users set email = $2, updated_at = now() where id = $1', [id, email]);
      }
      if (b.password !== undefined) await db.query('update auth.users set encrypted_password = $2, updated_at = now() where id = $1', [id, await hash(checkPassword(b.password))]);
      if (b.email_confirm === true) await db.query('update auth.users set email_confirmed_at = coalesce(email_confirmed_at, now()) where id = $1', [id]);
      if (b.user_metadata !== undefined) {
        await db.query(`update auth.users set raw_user_meta_data = jsonb_strip_nulls(coalesce(raw_user_meta_data,'{}') || $2::jsonb), updated_at = now() where id = $1`, [
          id,
          JSON.stringify(metadataObject(b.user_metadata, 'user_metadata')),
        ]);
      }
      if (b.app_metadata !== undefined) {
        await db.query(`update auth.users set raw_app_meta_data = jsonb_strip_nulls(coalesce(raw_app_meta_data,'{}') || $2::jsonb), updated_at = now() where id = $1`, [
          id,
          JSON.stringify(metadataObject(b.app_metadata, 'app_metadata')),
        ]);
      }
      if (typeof b.role === 'string') await db.query('update auth.users set role = $2 where id = $1', [id, b.role]);
      const ban = banUntil(b.ban_duration);
      if (ban !== undefined) await db.query('update auth.users set banned_until = $2 where id = $1', [id, ban]);
      return (await findUserById(db, id))!;
    });
    sendAuthJson(req, res, 200, await userJson(pool, user));
  }

  async function adminDelete({ req, res, path, body }: Request) {
    await requireAdmin(req);
    const id = userIdFrom(path);
    const b = await body();
    const user = await findUserById(pool, id);
    if (!user) throw new AuthError(404, 'user_not_found', 'User not found');
    if (b.should_soft_delete) {
      await pool.query(`update auth.users set deleted_at = now(), email = null, phone = null, encrypted_password = '' where id = $1`, [id]);
      await pool.query('delete from auth.sessions where user_id = $1', [id]);
    } else {
      await pool.query('delete from auth.users where id = $1', [id]);
    }
    sendAuthJson(req, res, 200, {});
  }

  function settings({ req, res }: Request) {
    sendAuthJson(req, res, 200, {
      external: {
        anonymous_users: a.enableAnonymousSignIns,
        apple: false, azure: false, bitbucket: false, discord: false, facebook: false, figma: false, fly: false,
        github: false, gitlab: false, google: false, keycloak: false, kakao: false, linkedin: false, linkedin_oidc: false,
        notion: false, spotify: false, slack: false, slack_oidc: false, workos: false, twitch: false, twitter: false, zoom: false,
        email: a.emailSignup,
        phone: false,
      },
      disable_signup: !a.enableSignup,
      mailer_autoconfirm: !a.emailConfirmations,
      phone_autoconfirm: false,
      sms_provider: '',
      saml_enabled: false,
      saml_private_key_next_configured: false,
      passkeys_enabled: false,
    });
  }

  const routes: Record<string, (r: Request) => Promise<void> | void> = {
    'GET /health': ({ req, res }) =>
      sendAuthJson(req, res, 200, { version: 'v2.189.0', name: 'GoTrue', description: 'GoTrue is a user registration and authentication API' }),
    'GET /settings': settings,
    'GET /.well-known/jwks.json': ({ req, res }) => sendAuthJson(req, res, 200, { keys: [] }, { 'Cache-Control': 'public, max-age=600' }),
    'POST /signup': signup,
    ...links.routes,
    'POST /token': async (r) => {
      const grant = r.url.searchParams.get('grant_type');
      if (grant === 'password') return passwordGrant(r);
      if (grant === 'refresh_token') return refreshGrant(r);
      refuseGrant(grant);
      sendAuthJson(r.req, r.res, 400, { error: 'unsupported_grant_type', error_description: `unsupported_grant_type` });
    },
    'GET /user': getUser,
    'PUT /user': updateUser,
    'POST /logout': logout,
    'POST /admin/users': adminCreate,
    'GET /admin/users': adminList,
  };

  return {
    async handle(req, res, path, url) {
      let parsed: Json | undefined;
      const r: Request = {
        req,
        res,
        path,
        url,
        body: async () => (parsed ??= await parseBody(req)),
      };
      try {
        const key = `${req.method} ${path.replace(/\/+$/, '') || '/'}`;
        const handler =
          routes[key] ??
          unsupportedRoute(req.method ?? 'GET', path.replace(/\/+$/, '')) ??
          (path.startsWith('/admin/users/')
            ? ({ GET: adminGet, PUT: adminUpdate, DELETE: adminDelete } as Record<string, (r: Request) => Promise<void>>)[req.method ?? '']
            : undefined);
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

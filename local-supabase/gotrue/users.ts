// auth.users / identities / sessions / refresh_tokens access and the JSON shapes GoTrue returns.
import { randomBytes, randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { StackConfig } from '../config.ts';
import { signJwt } from '../jwt.ts';

export interface UserRow {
  id: string;
  aud: string | null;
  role: string | null;
  email: string | null;
  encrypted_password: string | null;
  email_confirmed_at: Date | null;
  phone: string | null;
  phone_confirmed_at: Date | null;
  confirmed_at: Date | null;
  last_sign_in_at: Date | null;
  raw_app_meta_data: Record<string, unknown> | null;
  raw_user_meta_data: Record<string, unknown> | null;
  created_at: Date | null;
  updated_at: Date | null;
  banned_until: Date | null;
  deleted_at: Date | null;
  is_anonymous: boolean;
  invited_at?: Date | null;
  confirmation_sent_at?: Date | null;
}

interface IdentityRow {
  id: string;
  provider_id: string;
  user_id: string;
  identity_data: Record<string, unknown>;
  provider: string;
  last_sign_in_at: Date | null;
  created_at: Date | null;
  updated_at: Date | null;
  email: string | null;
}

const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : undefined);

/** GoTrue's user JSON: email/phone always present, null timestamps omitted, identities always an array. */
export async function userJson(db: pg.ClientBase | pg.Pool, user: UserRow): Promise<Record<string, unknown>> {
  const { rows } = await db.query<IdentityRow>('select * from auth.identities where user_id = $1 order by created_at', [user.id]);
  const out: Record<string, unknown> = {
    id: user.id,
    aud: user.aud ?? 'authenticated',
    role: user.role ?? 'authenticated',
    email: user.email ?? '',
    email_confirmed_at: iso(user.email_confirmed_at),
    phone: user.phone ?? '',
    phone_confirmed_at: iso(user.phone_confirmed_at),
    confirmation_sent_at: iso(user.confirmation_sent_at),
    confirmed_at: iso(user.confirmed_at),
    invited_at: iso(user.invited_at),
    last_sign_in_at: iso(user.last_sign_in_at),
    app_metadata: user.raw_app_meta_data ?? {},
    user_metadata: user.raw_user_meta_data ?? {},
    identities: rows.map((i) => ({
      identity_id: i.id,
      id: i.provider_id,
      user_id: i.user_id,
      identity_data: i.identity_data,
      provider: i.provider,
      last_sign_in_at: iso(i.last_sign_in_at),
      created_at: iso(i.created_at),
      updated_at: iso(i.updated_at),
      email: i.email ?? undefined,
    })),
    created_at: iso(user.created_at),
    updated_at: iso(user.updated_at),
    banned_until: iso(user.banned_until),
    is_anonymous: user.is_anonymous,
  };
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out;
}

export async function findUserById(db: pg.ClientBase | pg.Pool, id: string): Promise<UserRow | null> {
  const { rows } = await db.query<UserRow>('select * from auth.users where id = $1 and deleted_at is null', [id]);
  return rows[0] ?? null;
}

export async function findUserByEmail(db: pg.ClientBase | pg.Pool, email: string): Promise<UserRow | null> {
  const { rows } = await db.query<UserRow>(
    'select * from auth.users where lower(email) = lower($1) and is_sso_user = false and deleted_at is null',
    [email],
  );
  return rows[0] ?? null;
}

const B32 = 'abcdefghijklmnopqrstuvwxyz234567';
/** A 12-character lowercase base32 refresh token, as GoTrue's default token algorithm makes. */
export function newRefreshToken(): string {
  const bytes = randomBytes(12);
  let s = '';
  for (const b of bytes) s += B32[b % 32];
  return s;
}

export async function insertRefreshToken(db: pg.ClientBase, userId: string, sessionId: string, parent: string | null): Promise<string> {
  const token = newRefreshToken();
  await db.query(
    `insert into auth.refresh_tokens (instance_id, token, user_id, revoked, created_at, updated_at, parent, session_id)
     values ('00000000-0000-0000-0000-000000000000', $1, $2, false, now(), now(), $3, $4)`,
    [token, userId, parent, sessionId],
  );
  return token;
}

export async function issueAccessToken(cfg: StackConfig, user: UserRow, sessionId: string, method: string): Promise<{ token: string; exp: number; iat: number }> {
  const iat = Math.floor(Date.now() / 1000);
  const exp = iat + cfg.auth.jwtExpiry;
  const token = await signJwt(cfg.jwtKeys, {
    iss: `${cfg.apiUrl}/auth/v1`,
    sub: user.id,
    aud: user.aud ?? 'authenticated',
    exp,
    iat,
    email: user.email ?? '',
    phone: user.phone ?? '',
    app_metadata: user.raw_app_meta_data ?? {},
    user_metadata: user.raw_user_meta_data ?? {},
    role: user.role ?? 'authenticated',
    aal: 'aal1',
    amr: [{ method, timestamp: iat }],
    session_id: sessionId,
    is_anonymous: user.is_anonymous,
  });
  return { token, exp, iat };
}

/**
 * For data folders bootstrapped before sql/10_auth.sql had it (GoTrue migrates its schema at start, too).
 * Sessions remember how they were signed in here, so a refreshed token keeps its amr (e.g. `otp` from an email link).
 */
export const AMR_CLAIMS_DDL = `create table if not exists auth.mfa_amr_claims (
  session_id uuid not null references auth.sessions(id) on delete cascade,
  created_at timestamptz not null, updated_at timestamptz not null, authentication_method text not null,
  id uuid primary key, unique (session_id, authentication_method))`;

/** The sign-in method of a session (its amr), as GoTrue keeps it across refreshes. */
export async function sessionMethod(db: pg.ClientBase, sessionId: string, user: UserRow): Promise<string> {
  const { rows } = await db.query('select authentication_method from auth.mfa_amr_claims where session_id = $1 order by created_at limit 1', [sessionId]);
  return rows[0]?.authentication_method ?? amrMethod(user);
}

/** Creates a session and its first refresh token; returns GoTrue's AccessTokenResponse. */
export async function createSession(cfg: StackConfig, db: pg.ClientBase, user: UserRow, method: string, userAgent?: string) {
  const sessionId = randomUUID();
  await db.query(
    `insert into auth.sessions (id, user_id, created_at, updated_at, aal, user_agent) values ($1, $2, now(), now(), 'aal1', $3)`,
    [sessionId, user.id, userAgent ?? null],
  );
  await db.query(
    `insert into auth.mfa_amr_claims (id, session_id, created_at, updated_at, authentication_method) values (gen_random_uuid(), $1, now(), now(), $2)`,
    [sessionId, method],
  );
  const refresh = await insertRefreshToken(db, user.id, sessionId, null);
  return sessionResponse(cfg, db, user, sessionId, refresh, method);
}

export async function sessionResponse(cfg: StackConfig, db: pg.ClientBase, user: UserRow, sessionId: string, refreshToken: string, method: string) {
  const access = await issueAccessToken(cfg, user, sessionId, method);
  return {
    access_token: access.token,
    token_type: 'bearer',
    expires_in: cfg.auth.jwtExpiry,
    expires_at: access.exp,
    refresh_token: refreshToken,
    user: await userJson(db, user),
  };
}

export function amrMethod(user: UserRow): string {
  return user.is_anonymous ? 'anonymous' : 'password';
}

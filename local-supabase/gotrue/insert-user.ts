// Creating a user row (and its email identity) in the caller's transaction, as GoTrue does for every kind of user.
import { randomUUID } from 'node:crypto';
import bcrypt from 'bcryptjs';
import type pg from 'pg';
import type { StackContext } from '../context.ts';
import { AuthError } from './errors.ts';
import type { Json } from './service-context.ts';
import type { UserRow } from './users.ts';

export const hashPassword = (password: string) => bcrypt.hash(password, 10);

export interface NewUser {
  id?: string;
  email?: string | null;
  phone?: string | null;
  password?: string | null;
  confirmed: boolean;
  phoneConfirmed?: boolean;
  userMeta: Json;
  appMeta: Json;
  anonymous: boolean;
  role?: string;
}

/** Inserts a user (+ email identity); triggers on auth.users run here, and their failure is GoTrue's 500. */
export async function insertUser(ctx: StackContext, db: pg.ClientBase, u: NewUser): Promise<UserRow> {
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
        u.password ? await hashPassword(u.password) : '',
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

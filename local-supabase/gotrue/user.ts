// The signed-in user's own routes: GET /user, PUT /user (password, email, data) and POST /logout with its scopes.
import bcrypt from 'bcryptjs';
import { AuthError, sendAuthJson } from './errors.ts';
import { hashPassword } from './insert-user.ts';
import type { AuthHandler, AuthServiceContext } from './service-context.ts';
import { findUserByEmail, findUserById, userJson } from './users.ts';
import { checkEmail, checkPassword, metadataObject } from './validate.ts';

export function createUserRoutes(s: AuthServiceContext): Record<string, AuthHandler> {
  const { auth: a, pool, tx, currentUser } = s;

  const getUser: AuthHandler = async ({ req, res }) => {
    const { user } = await currentUser(req);
    sendAuthJson(req, res, 200, await userJson(pool, user));
  };

  const updateUser: AuthHandler = async ({ req, res, body }) => {
    const { user, sessionId } = await currentUser(req);
    const b = await body();
    const updated = await tx(async (db) => {
      if (b.password !== undefined) {
        const password = checkPassword(b.password, a.minimumPasswordLength);
        if (user.encrypted_password && (await bcrypt.compare(password, user.encrypted_password))) {
          throw new AuthError(422, 'same_password', 'New password should be different from the old password.');
        }
        await db.query('update auth.users set encrypted_password = $2, updated_at = now() where id = $1', [user.id, await hashPassword(password)]);
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
  };

  const logout: AuthHandler = async ({ req, res, url }) => {
    const { user, sessionId } = await currentUser(req);
    const scope = url.searchParams.get('scope') ?? 'global';
    if (scope === 'local') await pool.query('delete from auth.sessions where id = $1', [sessionId]);
    else if (scope === 'others') await pool.query('delete from auth.sessions where user_id = $1 and id is distinct from $2', [user.id, sessionId]);
    else if (scope === 'global') await pool.query('delete from auth.sessions where user_id = $1', [user.id]);
    else throw new AuthError(400, 'validation_failed', `Unsupported logout scope "${scope}"`);
    res.writeHead(204, req.headers['x-supabase-api-version'] ? { 'X-Supabase-Api-Version': '2024-01-01' } : {});
    res.end();
  };

  return { 'GET /user': getUser, 'PUT /user': updateUser, 'POST /logout': logout };
}

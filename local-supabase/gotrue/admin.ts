// The service-role admin API: POST|GET /admin/users and GET|PUT|DELETE /admin/users/<id>.
import { AuthError, sendAuthJson } from './errors.ts';
import { hashPassword, insertUser } from './insert-user.ts';
import type { AuthHandler, AuthServiceContext } from './service-context.ts';
import { findUserByEmail, findUserById, type UserRow, userJson } from './users.ts';
import { banUntil, checkEmail, checkPassword, metadataObject, pagination } from './validate.ts';

function userIdFrom(path: string): string {
  const id = path.slice('/admin/users/'.length);
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw new AuthError(404, 'user_not_found', 'User not found');
  return id;
}

export function createAdminRoutes(s: AuthServiceContext) {
  const { ctx, auth: a, pool, tx, requireAdmin } = s;

  const create: AuthHandler = async ({ req, res, body }) => {
    await requireAdmin(req);
    const b = await body();
    const email = b.email ? checkEmail(b.email) : null;
    if (!email && !b.phone) throw new AuthError(400, 'validation_failed', 'Unable to validate email address: invalid format');
    const password = b.password === undefined || b.password === null ? null : checkPassword(b.password, a.minimumPasswordLength);
    const user = await tx(async (db) => {
      if (email && (await findUserByEmail(db, email))) {
        throw new AuthError(422, 'email_exists', 'A user with this email address has already been registered');
      }
      const created = await insertUser(ctx, db, {
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
  };

  const list: AuthHandler = async ({ req, res, url }) => {
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
  };

  const get: AuthHandler = async ({ req, res, path }) => {
    await requireAdmin(req);
    const user = await findUserById(pool, userIdFrom(path));
    if (!user) throw new AuthError(404, 'user_not_found', 'User not found');
    sendAuthJson(req, res, 200, await userJson(pool, user));
  };

  const update: AuthHandler = async ({ req, res, path, body }) => {
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
      if (b.password !== undefined) {
        const hashed = await hashPassword(checkPassword(b.password, a.minimumPasswordLength));
        await db.query('update auth.users set encrypted_password = $2, updated_at = now() where id = $1', [id, hashed]);
      }
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
  };

  const remove: AuthHandler = async ({ req, res, path, body }) => {
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
  };

  return {
    routes: { 'POST /admin/users': create, 'GET /admin/users': list } as Record<string, AuthHandler>,
    /** The routes under /admin/users/<id>, by method. */
    byId: { GET: get, PUT: update, DELETE: remove } as Record<string, AuthHandler>,
  };
}

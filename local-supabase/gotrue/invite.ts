// GoTrue's email links: POST /invite (service role), the confirmation mail of a sign-up, and GET/POST /verify that turns a link into a session.
import { createHash, randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type pg from 'pg';
import type { StackConfig } from '../config.ts';
import type { StackContext } from '../context.ts';
import type { OutgoingMail } from '../mail/index.ts';
import { AuthError, sendAuthJson } from './errors.ts';
import { createSession, findUserByEmail, type UserRow, userJson } from './users.ts';

type Json = Record<string, any>;

interface LinkRequest {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  body: () => Promise<Json>;
}

export interface InviteDeps {
  ctx: StackContext;
  tx<T>(fn: (db: pg.PoolClient) => Promise<T>): Promise<T>;
  requireAdmin(req: IncomingMessage): Promise<void>;
  checkEmail(email: unknown): string;
  createInvitedUser(db: pg.ClientBase, email: string, userMeta: Json): Promise<UserRow>;
}

type MailType = 'invite' | 'confirmation';
const DEFAULT_SUBJECT: Record<MailType, string> = { invite: "You've been invited", confirmation: 'Confirm your email address' };
const DEFAULT_BODY: Record<MailType, string> = {
  invite: `<h2>You've been invited</h2>\n\n<p>You've been invited to create an account. Follow the link below to accept.</p>\n<p><a href="{{ .ConfirmationURL }}">Accept invitation</a></p>`,
  confirmation: `<h2>Confirm your email address</h2>\n\n<p>Follow the link below to confirm this email address and finish signing up.</p>\n<p><a href="{{ .ConfirmationURL }}">Confirm email address</a></p>`,
};
/** The verify types whose link is the user's confirmation token. */
const CONFIRMATION_TYPES = new Set(['invite', 'signup', 'email']);
const LINK_EXPIRED = 'Email link is invalid or has expired';

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;' })[c]!);

/** The `{{ .Name }}` / `{{ .Data.key }}` substitutions of GoTrue's templates, HTML-escaped as Go's html/template does. */
function render(template: string, vars: Json): string {
  return template.replace(/\{\{\s*\.([A-Za-z]+)(?:\.([A-Za-z0-9_]+))?\s*\}\}/g, (_, name: string, key?: string) => {
    const v = key ? vars[name]?.[key] : vars[name];
    return escapeHtml(v === undefined || v === null ? '' : String(v));
  });
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/** GoTrue's redirect check: the site's own host (any port on loopback), a loopback address, or an allow-listed URL. */
export function allowedRedirect(cfg: StackConfig, to: string | null | undefined): string {
  const site = cfg.auth.siteUrl;
  if (!to) return site;
  let target: URL;
  let base: URL;
  try {
    target = new URL(to);
    base = new URL(site);
  } catch {
    return site;
  }
  if (target.hostname === base.hostname && target.protocol === base.protocol && (target.port === base.port || LOOPBACK.has(target.hostname))) return to;
  if (LOOPBACK.has(target.hostname) && /^https?:$/.test(target.protocol)) return to;
  const withoutFragment = to.split('#')[0]!;
  for (const pattern of cfg.auth.additionalRedirectUrls) {
    const re = new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*\*/g, '.*').replace(/(?<!\.)\*/g, '[^/]*')}$`);
    if (re.test(withoutFragment)) return to;
  }
  return site;
}

export function createLinkRoutes(deps: InviteDeps) {
  const { ctx } = deps;
  const { cfg } = ctx;

  /** Gives the user a fresh confirmation token and returns the mail carrying it (sent after commit). */
  async function prepareMail(db: pg.ClientBase, user: UserRow, type: MailType, redirectTo: string): Promise<OutgoingMail> {
    const email = user.email!;
    const otp = String(randomInt(0, 1_000_000)).padStart(6, '0');
    const tokenHash = createHash('sha224').update(email + otp).digest('hex');
    await db.query(
      `update auth.users set confirmation_token = $2, confirmation_sent_at = now(), invited_at = case when $3 then now() else invited_at end where id = $1`,
      [user.id, tokenHash, type === 'invite'],
    );
    const link = new URL(`${cfg.apiUrl}/auth/v1/verify`);
    link.search = new URLSearchParams({ token: tokenHash, type: type === 'invite' ? 'invite' : 'signup', redirect_to: redirectTo }).toString();
    const tpl = cfg.auth.emailTemplates[type] ?? {};
    const body = tpl.contentPath ? readFileSync(tpl.contentPath, 'utf8') : DEFAULT_BODY[type];
    const vars = { SiteURL: cfg.auth.siteUrl, ConfirmationURL: link.toString(), Email: email, Token: otp, TokenHash: tokenHash, RedirectTo: redirectTo, Data: user.raw_user_meta_data ?? {} };
    const html = render(body, vars);
    const text = html.replace(/<a [^>]*href="([^"]*)"[^>]*>([^<]*)<\/a>/g, '$2: $1').replace(/<[^>]+>/g, '').replace(/&amp;/g, '&').trim();
    return { to: email, subject: render(tpl.subject ?? DEFAULT_SUBJECT[type], vars), html, text };
  }

  function send(mail: OutgoingMail) {
    if (ctx.mail) ctx.mail.deliver(mail);
    else ctx.log('auth', `no mail catcher: dropped "${mail.subject}" to ${mail.to}`);
  }

  async function invite({ req, res, url, body }: LinkRequest) {
    await deps.requireAdmin(req);
    const b = await body();
    const email = deps.checkEmail(b.email);
    if (b.data !== undefined && b.data !== null && (typeof b.data !== 'object' || Array.isArray(b.data))) {
      throw new AuthError(400, 'validation_failed', 'data must be an object');
    }
    const redirectTo = allowedRedirect(cfg, url.searchParams.get('redirect_to'));
    const { user, mail } = await deps.tx(async (db) => {
      // Invited before but not confirmed yet: a new link for the same user; confirmed: nothing to invite.
      let user = await findUserByEmail(db, email);
      if (user?.email_confirmed_at) throw new AuthError(422, 'email_exists', 'A user with this email address has already been registered');
      user ??= await deps.createInvitedUser(db, email, (b.data as Json | undefined) ?? {});
      const mail = await prepareMail(db, user, 'invite', redirectTo);
      const { rows } = await db.query<UserRow>('select * from auth.users where id = $1', [user.id]);
      return { user: rows[0]!, mail };
    });
    send(mail);
    sendAuthJson(req, res, 200, await userJson(ctx.pool, user));
  }

  /** Confirms the email of the link's user and opens a session (amr `otp`), in one transaction. */
  async function redeem(req: IncomingMessage, type: unknown, tokenHash: unknown) {
    if (typeof type !== 'string' || !type) throw new AuthError(400, 'validation_failed', 'Verify requires a verification type');
    if (typeof tokenHash !== 'string' || !tokenHash) throw new AuthError(400, 'validation_failed', 'Verify requires a token or a token hash');
    if (!CONFIRMATION_TYPES.has(type)) throw new AuthError(400, 'validation_failed', 'Unsupported verification type');
    return deps.tx(async (db) => {
      const { rows } = await db.query<UserRow & { confirmation_sent_at: Date | null }>(
        `select * from auth.users where confirmation_token = $1 and confirmation_token <> '' and deleted_at is null for update`,
        [tokenHash],
      );
      const user = rows[0];
      if (!user) throw new AuthError(403, 'otp_expired', LINK_EXPIRED);
      if (user.banned_until && user.banned_until > new Date()) throw new AuthError(403, 'user_banned', 'User is banned');
      if (!user.confirmation_sent_at || user.confirmation_sent_at.getTime() + cfg.auth.emailOtpExpiry * 1000 < Date.now()) {
        throw new AuthError(403, 'otp_expired', LINK_EXPIRED);
      }
      const { rows: updated } = await db.query<UserRow>(
        `update auth.users set confirmation_token = '', email_confirmed_at = coalesce(email_confirmed_at, now()), last_sign_in_at = now(), updated_at = now(),
           raw_user_meta_data = coalesce(raw_user_meta_data, '{}') || '{"email_verified": true}'
         where id = $1 returning *`,
        [user.id],
      );
      await db.query(
        `update auth.identities set identity_data = identity_data || '{"email_verified": true}', last_sign_in_at = now(), updated_at = now() where user_id = $1 and provider = 'email'`,
        [user.id],
      );
      return createSession(cfg, db, updated[0]!, 'otp', req.headers['user-agent']);
    });
  }

  async function verifyPost({ req, res, body }: LinkRequest) {
    const b = await body();
    let tokenHash = b.token_hash;
    if (!tokenHash && typeof b.token === 'string' && typeof b.email === 'string') {
      // The 6-digit code from the mail: its hash is the stored token.
      tokenHash = createHash('sha224').update(deps.checkEmail(b.email) + b.token).digest('hex');
    }
    sendAuthJson(req, res, 200, await redeem(req, b.type, tokenHash));
  }

  /** The link in the mail: redirects to redirect_to with the session (or the error) in the fragment. */
  async function verifyGet({ req, res, url }: LinkRequest) {
    const to = allowedRedirect(cfg, url.searchParams.get('redirect_to'));
    const type = url.searchParams.get('type');
    let fragment: URLSearchParams;
    try {
      const s = await redeem(req, type, url.searchParams.get('token'));
      fragment = new URLSearchParams({
        access_token: s.access_token,
        expires_at: String(s.expires_at),
        expires_in: String(s.expires_in),
        refresh_token: s.refresh_token,
        token_type: 'bearer',
        type: type ?? '',
      });
    } catch (err) {
      if (!(err instanceof AuthError)) throw err;
      fragment = new URLSearchParams({ error: err.status === 403 ? 'access_denied' : 'invalid_request', error_code: err.code, error_description: err.message, sb: '' });
    }
    res.writeHead(303, { Location: `${to.split('#')[0]}#${fragment.toString()}` });
    res.end();
  }

  return {
    routes: { 'POST /invite': invite, 'POST /verify': verifyPost, 'GET /verify': verifyGet } as Record<string, (r: LinkRequest) => Promise<void>>,
    /** For sign-up with confirmations on: the confirmation mail, to send once the user is committed. */
    confirmationMail: (db: pg.ClientBase, user: UserRow, redirectTo: string | null) => prepareMail(db, user, 'confirmation', allowedRedirect(cfg, redirectTo)),
    send,
  };
}

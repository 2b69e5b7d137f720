// Pure dashboard helpers: redirects after sign-in, the shared zod schemas, display formatting.
import { describe, expect, it } from 'vitest';
import { dayLabel, initials, relativeTime } from '../../app/lib/format.ts';
import { httpUrl, safeRedirect } from '../../app/lib/safe-redirect.ts';
import {
  addMemberSchema,
  CONTROL_CHARACTERS_MESSAGE,
  changeRoleSchema,
  loginSchema,
  readForm,
  sendMessageSchema,
} from '../../app/lib/validation.ts';
import { decodeCursor, encodeCursor } from '../../app/models/conversation-cursor.ts';
import { embedCode, formToRow, rowToForm, type WidgetConfigRow, widgetConfigSchema } from '../../app/models/widget-config.ts';

describe('safeRedirect', () => {
  it('follows same-site relative paths, keeping query and hash', () => {
    expect(safeRedirect('/inbox/123?status=open#m1')).toBe('/inbox/123?status=open#m1');
    expect(safeRedirect('/settings/widget')).toBe('/settings/widget');
  });

  it.each([
    ['//evil.example/path'],
    ['/\\evil.example'],
    ['https://evil.example/'],
    ['javascript:alert(1)'],
    ['/\t/evil.example'],
    ['inbox'],
    [''],
  ])('refuses %j and falls back to the inbox', (to) => {
    expect(safeRedirect(to)).toBe('/inbox');
  });

  it('falls back for missing values', () => {
    expect(safeRedirect(null)).toBe('/inbox');
    expect(safeRedirect(undefined, '/team')).toBe('/team');
  });
});

describe('safeRedirect checks the path it returns, not only the one it was given', () => {
  // Each input is a harmless-looking single-slash path that URL normalisation turns into `//host`.
  it.each([
    ['/.//evil.example'],
    ['/./evil.example/..//evil.example'],
    ['/a/..//evil.example'],
    ['/%2e//evil.example'],
    ['/%2E%2E//evil.example/x?y#z'],
    ['/.///evil.example'],
    ['/inbox/../..//evil.example'],
  ])('refuses %j (it normalises to a protocol-relative URL)', (to) => {
    expect(new URL(to, 'http://x.invalid').pathname.startsWith('//')).toBe(true);
    expect(safeRedirect(to)).toBe('/inbox');
  });

  it('still normalises harmless dot segments', () => {
    expect(safeRedirect('/inbox/./123/../456?x=1')).toBe('/inbox/456?x=1');
  });
});

describe('httpUrl (visitor page links)', () => {
  it.each([
    ['https://shop.example/cart?x=1', 'https://shop.example/cart?x=1'],
    ['http://shop.example', 'http://shop.example/'],
    ['javascript:alert(document.cookie)', null],
    ['JavaScript:alert(1)', null],
    [' javascript:alert(1)', null],
    ['data:text/html,<script>alert(1)</script>', null],
    ['vbscript:msgbox(1)', null],
    ['/relative/path', null],
    ['', null],
    [null, null],
  ])('%j → %j', (input, expected) => {
    expect(httpUrl(input)).toBe(expected);
  });
});

describe('control characters are refused by every dashboard schema', () => {
  const C0 = ['\u0000', '\u0001', '\u0007', '\u001b', '\u001f', '\u007f'];
  const fieldError = (r: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }, field: string) =>
    r.error?.issues.find((i) => i.path.join('.') === field)?.message;

  it.each(C0)('a reply containing %j', (ch) => {
    const r = sendMessageSchema.safeParse({ id: crypto.randomUUID(), body: `hello${ch}world` });
    expect(fieldError(r, 'body')).toBe(CONTROL_CHARACTERS_MESSAGE);
  });

  it('a reply keeps line breaks and tabs', () => {
    expect(sendMessageSchema.parse({ id: crypto.randomUUID(), body: 'line 1\r\nline 2\tend' }).body).toBe('line 1\r\nline 2\tend');
  });

  it.each(C0)('a new member’s display name or email containing %j', (ch) => {
    const r = addMemberSchema.safeParse({ email: `a${ch}b@example.com`, displayName: `Ann${ch}`, password: 'password-123', role: 'agent' });
    expect(fieldError(r, 'displayName')).toBe(CONTROL_CHARACTERS_MESSAGE);
    expect(fieldError(r, 'email')).toBe(CONTROL_CHARACTERS_MESSAGE);
  });

  it('single-line fields refuse line breaks too', () => {
    const r = addMemberSchema.safeParse({ email: 'a@example.com', displayName: 'Ann\nLee', password: 'password-123', role: 'agent' });
    expect(fieldError(r, 'displayName')).toBe(CONTROL_CHARACTERS_MESSAGE);
  });

  it('a role change with a NUL in the member id or role', () => {
    const r = changeRoleSchema.safeParse({ userId: `${crypto.randomUUID()}\u0000`, role: 'admin\u0000' });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path[0]).sort()).toEqual(['role', 'userId']);
  });

  it('a sign-in email containing NUL', () => {
    expect(fieldError(loginSchema.safeParse({ email: 'admin@acme.test\u0000', password: 'x' }), 'email')).toBe(CONTROL_CHARACTERS_MESSAGE);
  });

  it.each(['title', 'greeting', 'launcherLabel', 'locale', 'primaryColor'] as const)('widget setting %s containing NUL', (field) => {
    const r = widgetConfigSchema.safeParse({ ...rowToForm(row), [field]: `${rowToForm(row)[field]}\u0000` });
    expect(fieldError(r, field)).toBe(CONTROL_CHARACTERS_MESSAGE);
  });

  it('a widget allowed origin containing NUL or a tab (which URL parsing would silently drop)', () => {
    const r = widgetConfigSchema.safeParse({ ...rowToForm(row), allowedOrigins: ['https://ok.example\u0000', 'https://ok.exa\tmple'] });
    expect(fieldError(r, 'allowedOrigins.0')).toBe(CONTROL_CHARACTERS_MESSAGE);
    expect(fieldError(r, 'allowedOrigins.1')).toBe(CONTROL_CHARACTERS_MESSAGE);
  });

  it('the greeting keeps its line breaks', () => {
    expect(widgetConfigSchema.parse({ ...rowToForm(row), greeting: 'Hi!\nAsk us anything.' }).greeting).toBe('Hi!\nAsk us anything.');
  });
});

describe('readForm', () => {
  const post = (body: string, type: string | null) =>
    new Request('http://dashboard.test/login', { method: 'POST', body, headers: type ? { 'Content-Type': type } : {} });

  it('reads a urlencoded form', async () => {
    expect(await readForm(post('email=a%40b.c&password=x', 'application/x-www-form-urlencoded;charset=UTF-8'))).toEqual({ email: 'a@b.c', password: 'x' });
  });

  it.each([
    ['{"email":"a@b.c"}', 'application/json', 415, 'unsupported_media_type'],
    ['email=a', 'text/plain', 415, 'unsupported_media_type'],
    ['email=a', null, 415, 'unsupported_media_type'],
    ['--x\r\nnot multipart', 'multipart/form-data; boundary=zzz', 400, 'malformed_form'],
  ])('throws a JSON %s answer for %j as %j', async (body, type, status, code) => {
    const thrown = await readForm(post(body, type)).then(
      () => null,
      (e: unknown) => e,
    );
    expect(thrown).toBeInstanceOf(Response);
    const res = thrown as Response;
    expect(res.status).toBe(status);
    expect(res.headers.get('Content-Type')).toMatch(/^application\/json/);
    expect((await res.json()).code).toBe(code);
  });
});

describe('decodeCursor (inbox ?after=)', () => {
  const id = '0b6f6a2e-5f4e-4c3b-9a1d-2e3f4a5b6c7d';
  it('reads back what encodeCursor wrote', () => {
    const at = '2026-11-24T12:00:00.123456+00:00';
    expect(decodeCursor(encodeCursor({ last_message_at: at, id }))).toEqual({ at, id });
  });

  it.each([
    ['x|y'],
    ['|'],
    ['2026-01-01|not-a-uuid'],
    [`2026-01-01|${id}`],
    [`1|${id}`],
    [`2026-02-31T00:00:00Z|${id}`],
    [`2026-13-01T00:00:00Z|${id}`],
    [`2026-01-01T25:00:00Z|${id}`],
    [`2026-01-01T00:00:00Z),id.gt.0|${id}`],
    [`2026-01-01T00:00:00Z|${'-'.repeat(36)}`],
    [`2026-01-01T00:00:00Z|${id}x`],
    [`${'9'.repeat(5000)}|${id}`],
    [`2026-01-01T00:00:00Z\u0000|${id}`],
  ])('ignores %j', (cursor) => {
    expect(decodeCursor(cursor)).toBeNull();
  });
});

const row: WidgetConfigRow = {
  company_id: '00000000-0000-0000-0000-000000000001',
  widget_key: 'pk_test',
  enabled: true,
  title: 'Chat with Acme',
  greeting: 'Hi!',
  launcher_label: 'Chat with us',
  primary_color: '#2563eb',
  accent_color: '#f59e0b',
  position: 'bottom-right',
  auto_open_after_seconds: null,
  locale: 'en',
  prechat_name: 'required',
  prechat_email: 'optional',
  prechat_phone: 'off',
  allowed_origins: ['http://127.0.0.1:3001'],
};

describe('widget config schema (shared by the settings form and action)', () => {
  it('round-trips a stored row through the form shape', () => {
    const parsed = widgetConfigSchema.parse(rowToForm(row));
    const { company_id: _c, widget_key: _k, ...stored } = row;
    expect(formToRow(parsed)).toEqual(stored);
  });

  it('reports each bad field by name', () => {
    const result = widgetConfigSchema.safeParse({
      ...rowToForm(row),
      primaryColor: 'blue',
      position: 'middle',
      allowedOrigins: ['https://ok.example', 'https://shop.example/path'],
    });
    expect(result.success).toBe(false);
    const paths = result.error!.issues.map((i) => i.path.join('.'));
    expect(paths.sort()).toEqual(['allowedOrigins.1', 'position', 'primaryColor']);
  });

  it('asks for seconds when auto-open is on', () => {
    const result = widgetConfigSchema.safeParse({ ...rowToForm(row), autoOpen: 'after', autoOpenAfterSeconds: null });
    expect(result.error!.issues.map((i) => i.path.join('.'))).toEqual(['autoOpenAfterSeconds']);
  });

  it('stores origins without a trailing slash and without duplicates', () => {
    const parsed = widgetConfigSchema.parse({ ...rowToForm(row), allowedOrigins: ['https://a.example/', 'https://a.example'] });
    expect(formToRow(parsed).allowed_origins).toEqual(['https://a.example']);
  });

  it('builds an embed snippet with the widget key and project URL', () => {
    const code = embedCode({ scriptUrl: 'https://cdn.example/widget.js', widgetKey: 'pk_x', supabaseUrl: 'https://p.supabase.co', anonKey: 'anon' });
    expect(code).toContain('src="https://cdn.example/widget.js"');
    expect(code).toContain('data-widget-key="pk_x"');
    expect(code).toContain('data-supabase-url="https://p.supabase.co"');
  });
});

describe('message and member schemas', () => {
  it('rejects an empty reply and a non-uuid id', () => {
    const r = sendMessageSchema.safeParse({ id: 'nope', body: '   ' });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path[0]).sort()).toEqual(['body', 'id']);
  });

  it('trims the reply body', () => {
    expect(sendMessageSchema.parse({ id: crypto.randomUUID(), body: '  hi \n' }).body).toBe('hi');
  });

  it('requires a valid email, name, password and role for a new agent', () => {
    const r = addMemberSchema.safeParse({ email: 'x', displayName: '', password: 'short', role: 'owner' });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path[0]).sort()).toEqual(['displayName', 'email', 'password', 'role']);
  });
});

describe('formatting', () => {
  const now = Date.parse('2026-11-24T12:00:00Z');
  it('says how long ago in words', () => {
    expect(relativeTime('2026-11-24T11:58:00Z', now)).toBe('2 minutes ago');
    expect(relativeTime('2026-11-24T11:59:50Z', now)).toBe('just now');
    expect(relativeTime('2026-11-24T09:00:00Z', now)).toBe('3 hours ago');
  });

  it('makes initials from a name or an email', () => {
    expect(initials('Ann Lee')).toBe('AL');
    expect(initials(null, 'bob.smith@example.com')).toBe('BS');
    expect(initials('')).toBe('?');
  });

  it('labels days for message separators', () => {
    const today = new Date(2026, 10, 24, 12);
    expect(dayLabel(new Date(2026, 10, 24, 8).toISOString(), today)).toBe('Today');
    expect(dayLabel(new Date(2026, 10, 23, 23).toISOString(), today)).toBe('Yesterday');
  });
});

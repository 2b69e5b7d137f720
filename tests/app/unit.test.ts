// Pure dashboard helpers: redirects after sign-in, the shared zod schemas, display formatting.
import { describe, expect, it } from 'vitest';
import { dayLabel, initials, relativeTime } from '../../app/lib/format.ts';
import { safeRedirect } from '../../app/lib/safe-redirect.ts';
import { addMemberSchema, sendMessageSchema } from '../../app/lib/validation.ts';
import { embedCode, formToRow, rowToForm, type WidgetConfigRow, widgetConfigSchema } from '../../app/lib/widget-config.ts';

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

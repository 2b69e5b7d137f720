// The widget settings form ⇄ widget_configs row. One zod schema, used by the form (browser-side hints and
// the live preview) and by the action (the real check).
import { z } from 'zod';
import { type PublicWidgetConfig, toPublicConfig } from '../../functions/_shared/contract.ts';
import { POSITIONS, PRECHAT, type WidgetConfigRow } from '../../functions/_shared/widget-row.ts';
import { plainText } from '../lib/validation.ts';

export { POSITIONS, PRECHAT, type WidgetConfigRow };

const color = plainText().trim().regex(/^#[0-9a-fA-F]{6}$/, 'Use a colour like #2563eb.').transform((s) => s.toLowerCase());

export const originSchema = plainText()
  .trim()
  .min(1, 'Enter an origin.')
  .refine((s) => {
    try {
      const u = new URL(s);
      return (u.protocol === 'http:' || u.protocol === 'https:') && u.origin === s.replace(/\/$/, '');
    } catch {
      return false;
    }
  }, 'Use an origin like https://example.com (scheme, host and optional port, no path).')
  .transform((s) => new URL(s).origin);

export const widgetConfigSchema = z
  .object({
    enabled: z.boolean(),
    title: plainText().trim().min(1, 'Enter a title.').max(60, 'At most 60 characters.'),
    greeting: plainText({ multiline: true }).trim().max(280, 'At most 280 characters.'),
    launcherLabel: plainText().trim().min(1, 'Enter a launcher label.').max(40, 'At most 40 characters.'),
    primaryColor: color,
    accentColor: color,
    position: z.enum(POSITIONS, { message: 'Pick a corner.' }),
    autoOpen: z.enum(['off', 'after']),
    autoOpenAfterSeconds: z.coerce.number({ message: 'Enter a number of seconds.' }).int('Whole seconds only.').min(1, 'At least 1 second.').max(600, 'At most 600 seconds.').nullable(),
    locale: plainText().trim().regex(/^[a-z]{2,3}(-[A-Za-z]{2,4})?$/, 'Use a language tag like en or pt-BR.'),
    prechatName: z.enum(PRECHAT),
    prechatEmail: z.enum(PRECHAT),
    prechatPhone: z.enum(PRECHAT),
    allowedOrigins: z.array(originSchema).max(50, 'At most 50 origins.'),
  })
  .superRefine((v, ctx) => {
    if (v.autoOpen === 'after' && v.autoOpenAfterSeconds == null) {
      ctx.addIssue({ code: 'custom', path: ['autoOpenAfterSeconds'], message: 'Enter a number of seconds.' });
    }
  });

export type WidgetConfigInput = z.input<typeof widgetConfigSchema>;
export type WidgetConfigForm = z.output<typeof widgetConfigSchema>;

/** Form fields → the object the schema checks (checkbox, repeated origin inputs, empty number). */
export function widgetFormToInput(form: FormData) {
  const seconds = String(form.get('autoOpenAfterSeconds') ?? '').trim();
  const autoOpen = String(form.get('autoOpen') ?? 'off');
  return {
    enabled: form.get('enabled') === 'on' || form.get('enabled') === 'true',
    title: String(form.get('title') ?? ''),
    greeting: String(form.get('greeting') ?? ''),
    launcherLabel: String(form.get('launcherLabel') ?? ''),
    primaryColor: String(form.get('primaryColor') ?? ''),
    accentColor: String(form.get('accentColor') ?? ''),
    position: String(form.get('position') ?? ''),
    autoOpen,
    autoOpenAfterSeconds: autoOpen === 'after' && seconds !== '' ? seconds : null,
    locale: String(form.get('locale') ?? ''),
    prechatName: String(form.get('prechatName') ?? ''),
    prechatEmail: String(form.get('prechatEmail') ?? ''),
    prechatPhone: String(form.get('prechatPhone') ?? ''),
    allowedOrigins: form
      .getAll('allowedOrigins')
      .map(String)
      .filter((s) => s.trim() !== ''),
  };
}

export function rowToForm(row: WidgetConfigRow): WidgetConfigForm {
  return {
    enabled: row.enabled,
    title: row.title,
    greeting: row.greeting ?? '',
    launcherLabel: row.launcher_label,
    primaryColor: row.primary_color,
    accentColor: row.accent_color,
    position: row.position,
    autoOpen: row.auto_open_after_seconds == null ? 'off' : 'after',
    autoOpenAfterSeconds: row.auto_open_after_seconds,
    locale: row.locale,
    prechatName: row.prechat_name,
    prechatEmail: row.prechat_email,
    prechatPhone: row.prechat_phone,
    allowedOrigins: row.allowed_origins ?? [],
  };
}

export function formToRow(v: WidgetConfigForm): Omit<WidgetConfigRow, 'company_id' | 'widget_key'> {
  return {
    enabled: v.enabled,
    title: v.title,
    greeting: v.greeting,
    launcher_label: v.launcherLabel,
    primary_color: v.primaryColor,
    accent_color: v.accentColor,
    position: v.position,
    auto_open_after_seconds: v.autoOpen === 'after' ? v.autoOpenAfterSeconds : null,
    locale: v.locale,
    prechat_name: v.prechatName,
    prechat_email: v.prechatEmail,
    prechat_phone: v.prechatPhone,
    allowed_origins: [...new Set(v.allowedOrigins)],
  };
}

/** The public config the widget receives (contract.ts), from the form's values: what the live preview shows. */
export function previewConfig(v: WidgetConfigForm, key: string, companyName: string): PublicWidgetConfig {
  return toPublicConfig({ company_id: '', widget_key: key, ...formToRow(v) }, companyName);
}

export function embedCode(opts: { scriptUrl: string; widgetKey: string; supabaseUrl: string; anonKey: string }) {
  return `<script src="${opts.scriptUrl}" data-widget-key="${opts.widgetKey}"\n        data-supabase-url="${opts.supabaseUrl}" data-anon-key="${opts.anonKey}" async></script>`;
}

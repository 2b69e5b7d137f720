import { type ActionFunctionArgs, json, type LoaderFunctionArgs } from '@remix-run/node';
import { errorResponse, requireAdmin } from './auth.server.ts';
import { env } from './env.server.ts';
import { fieldErrors, readFormData } from './validation.ts';
import {
  embedCode,
  formToRow,
  previewConfig,
  rowToForm,
  WIDGET_CONFIG_COLUMNS,
  type WidgetConfigRow,
  widgetConfigSchema,
  widgetFormToInput,
} from './widget-config.ts';

async function loadRow(ctx: Awaited<ReturnType<typeof requireAdmin>>) {
  const { data, error } = await ctx.supabase
    .from('widget_configs')
    .select(WIDGET_CONFIG_COLUMNS)
    .eq('company_id', ctx.current.companyId)
    .maybeSingle();
  if (error) throw new Error(`widget config: ${error.message}`);
  return data as WidgetConfigRow | null;
}

export async function settingsLoader({ request, context }: LoaderFunctionArgs) {
  const ctx = await requireAdmin(request, context);
  const row = await loadRow(ctx);
  if (!row) throw errorResponse(404, 'widget_not_found', 'This company has no widget yet.', ctx.headers);
  const e = env();
  return json(
    {
      widgetKey: row.widget_key,
      companyName: ctx.current.companyName,
      values: rowToForm(row),
      embed: embedCode({ scriptUrl: e.widgetScriptUrl, widgetKey: row.widget_key, supabaseUrl: e.supabaseUrl, anonKey: e.anonKey }),
    },
    { headers: ctx.headers },
  );
}

export async function settingsAction({ request, context }: ActionFunctionArgs) {
  const ctx = await requireAdmin(request, context);
  const parsed = widgetConfigSchema.safeParse(widgetFormToInput(await readFormData(request)));
  if (!parsed.success) {
    return errorResponse(422, 'validation_failed', 'Check the highlighted fields.', ctx.headers, { fieldErrors: fieldErrors(parsed.error) });
  }
  const { data, error } = await ctx.supabase
    .from('widget_configs')
    .update(formToRow(parsed.data))
    .eq('company_id', ctx.current.companyId)
    .select('company_id');
  if (error) {
    if (error.code === '42501') return errorResponse(403, 'forbidden', 'Only an admin of this company can do this.', ctx.headers);
    if (error.code === '23514') return errorResponse(422, 'validation_failed', error.message, ctx.headers, { fieldErrors: { _form: error.message } });
    throw new Error(`save widget config: ${error.message}`);
  }
  if (!data?.length) return errorResponse(404, 'widget_not_found', 'This company has no widget yet.', ctx.headers);
  return json({ ok: true, message: 'Saved.' }, { headers: ctx.headers });
}

function htmlEscape(s: string) {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * A blank page with the real widget script, fed the form's current (unsaved) values through
 * `window.PorchlightPreview`, for the settings page's iframe.
 */
export async function previewLoader({ request, context }: LoaderFunctionArgs) {
  const ctx = await requireAdmin(request, context);
  const row = await loadRow(ctx);
  if (!row) throw errorResponse(404, 'widget_not_found', 'This company has no widget yet.', ctx.headers);
  const url = new URL(request.url);
  let values = rowToForm(row);
  const raw = url.searchParams.get('config');
  if (raw) {
    try {
      const parsed = widgetConfigSchema.safeParse(JSON.parse(raw));
      if (parsed.success) values = parsed.data;
    } catch {
      // Keep the saved values for a malformed preview request.
    }
  }
  const e = env();
  const config = JSON.stringify(previewConfig(values, row.widget_key, ctx.current.companyName)).replace(/</g, '\\u003c');
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Widget preview</title>
<style>body{margin:0;min-height:100vh;font:14px system-ui,sans-serif;color:#6b7280;background:repeating-linear-gradient(45deg,#f9fafb,#f9fafb 12px,#f3f4f6 12px,#f3f4f6 24px)}p{padding:16px;margin:0}</style>
</head><body><p>Your website · preview${values.enabled ? '' : ' (widget disabled: visitors will not see it)'}</p>
<script>window.PorchlightPreview = ${config};</script>
<script src="${htmlEscape(e.widgetScriptUrl)}" data-widget-key="${htmlEscape(row.widget_key)}" data-supabase-url="${htmlEscape(e.supabaseUrl)}" data-anon-key="${htmlEscape(e.anonKey)}" data-preview="true" async></script>
</body></html>`;
  const headers = new Headers(ctx.headers);
  headers.set('Content-Type', 'text/html; charset=utf-8');
  headers.set('Cache-Control', 'no-store');
  return new Response(html, { status: 200, headers });
}

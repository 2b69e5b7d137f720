// GET /settings/widget-preview (admins): the page inside the settings preview iframe, the real widget script fed
// the form's unsaved values.
import type { LoaderFunctionArgs } from '@remix-run/node';
import { errorResponse, requireAdmin } from '../../lib/auth.server.ts';
import { env } from '../../lib/env.server.ts';
import { getWidgetConfig } from '../../models/widget-config.server.ts';
import { previewConfig, rowToForm, widgetConfigSchema } from '../../models/widget-config.ts';

function htmlEscape(s: string) {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * A blank page with the real widget script, fed the form's current (unsaved) values through
 * `window.PorchlightPreview`, for the settings page's iframe.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const ctx = await requireAdmin(request, context);
  const row = await getWidgetConfig(ctx.supabase, ctx.current.companyId);
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

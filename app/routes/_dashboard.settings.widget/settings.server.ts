// Widget settings (admins): the company's widget_configs row as the form's values and the embed code; saving it.
import { type ActionFunctionArgs, json, type LoaderFunctionArgs } from '@remix-run/node';
import { errorResponse, requireAdmin } from '../../lib/auth.server.ts';
import { env } from '../../lib/env.server.ts';
import { fieldErrors, readFormData } from '../../lib/validation.ts';
import { getWidgetConfig, saveWidgetConfig } from '../../models/widget-config.server.ts';
import { embedCode, formToRow, rowToForm, widgetConfigSchema, widgetFormToInput } from '../../models/widget-config.ts';

export async function loader({ request, context }: LoaderFunctionArgs) {
  const ctx = await requireAdmin(request, context);
  const row = await getWidgetConfig(ctx.supabase, ctx.current.companyId);
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

export async function action({ request, context }: ActionFunctionArgs) {
  const ctx = await requireAdmin(request, context);
  const parsed = widgetConfigSchema.safeParse(widgetFormToInput(await readFormData(request)));
  if (!parsed.success) {
    return errorResponse(422, 'validation_failed', 'Check the highlighted fields.', ctx.headers, { fieldErrors: fieldErrors(parsed.error) });
  }
  const { count, error } = await saveWidgetConfig(ctx.supabase, ctx.current.companyId, formToRow(parsed.data));
  if (error) {
    if (error.code === '42501') return errorResponse(403, 'forbidden', 'Only an admin of this company can do this.', ctx.headers);
    if (error.code === '23514') return errorResponse(422, 'validation_failed', error.message, ctx.headers, { fieldErrors: { _form: error.message } });
    throw new Error(`save widget config: ${error.message}`);
  }
  if (!count) return errorResponse(404, 'widget_not_found', 'This company has no widget yet.', ctx.headers);
  return json({ ok: true, message: 'Saved.' }, { headers: ctx.headers });
}

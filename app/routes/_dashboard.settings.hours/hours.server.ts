// Office hours, away mode and identity verification (admins): the loader reads the company's settings and says
// whether it is open now (the SQL rule, for the saved hours or, with ?preview, for the form's unsaved values);
// the action saves hours, switches "require verification", or rotates the identity secret (shown once).
import { type ActionFunctionArgs, json, type LoaderFunctionArgs } from '@remix-run/node';
import type { SupabaseClient } from '@supabase/supabase-js';
import { errorResponse, requireAdmin } from '../../lib/auth.server.ts';
import { fieldErrors, readFormData } from '../../lib/validation.ts';
import { hoursFormToInput, hoursFormToRow, hoursRowToForm, type OfficeHoursRow, officeHoursSchema } from '../../models/office-hours.ts';

/** Open now under these hours, by the database's rule; null when Postgres does not know the zone (22023). */
async function openNow(supabase: SupabaseClient, row: OfficeHoursRow): Promise<boolean | null> {
  const { data, error } = await supabase.rpc('office_hours_open_at', {
    p_enabled: row.enabled,
    p_time_zone: row.time_zone,
    p_weekly: row.weekly,
    p_closed_days: row.closed_days,
    p_at: new Date().toISOString(),
  });
  if (error?.code?.startsWith('22')) return null;
  if (error) throw new Error(`open now: ${error.message}`);
  return data === true;
}

export async function loader({ request, context }: LoaderFunctionArgs) {
  const ctx = await requireAdmin(request, context);
  const url = new URL(request.url);
  const companyId = ctx.current.companyId;
  if (url.searchParams.has('preview')) {
    const parsed = officeHoursSchema.safeParse(hoursFormToInput(url.searchParams));
    if (!parsed.success) return json({ preview: null, fieldErrors: fieldErrors(parsed.error) }, { headers: ctx.headers });
    const open = await openNow(ctx.supabase, hoursFormToRow(parsed.data));
    if (open === null) return json({ preview: null, fieldErrors: { timeZone: 'This time zone is not known to the database.' } }, { headers: ctx.headers });
    return json({ preview: { open }, fieldErrors: {} }, { headers: ctx.headers });
  }
  const [hours, widget, rotated] = await Promise.all([
    ctx.supabase.from('office_hours').select('enabled, time_zone, weekly, closed_days, away_mode, away_message').eq('company_id', companyId).maybeSingle(),
    ctx.supabase.from('widget_configs').select('require_verification').eq('company_id', companyId).maybeSingle(),
    ctx.supabase.rpc('widget_identity_rotated_at', { p_company_id: companyId }),
  ]);
  for (const r of [hours, widget, rotated]) if (r.error) throw new Error(`hours settings: ${r.error.message}`);
  const row = hours.data as OfficeHoursRow | null;
  const values = hoursRowToForm(row);
  return json(
    {
      values,
      saved: row !== null,
      open: (await openNow(ctx.supabase, hoursFormToRow(values))) ?? true,
      requireVerification: (widget.data as { require_verification?: boolean } | null)?.require_verification === true,
      secretRotatedAt: (rotated.data as string | null) ?? null,
    },
    { headers: ctx.headers },
  );
}

export async function action({ request, context }: ActionFunctionArgs) {
  const ctx = await requireAdmin(request, context);
  const companyId = ctx.current.companyId;
  const form = await readFormData(request);
  const intent = form.get('intent');
  if (intent === 'rotate') {
    const { data, error } = await ctx.supabase.rpc('rotate_widget_identity_secret', { p_company_id: companyId });
    if (error) throw new Error(`rotate identity secret: ${error.message}`);
    return json({ ok: true, message: 'A new identity secret was generated. Copy it now: it is not shown again.', secret: String(data) }, { headers: ctx.headers });
  }
  if (intent === 'verification') {
    const { error } = await ctx.supabase.from('widget_configs').update({ require_verification: form.get('requireVerification') === 'on' }).eq('company_id', companyId);
    if (error) throw new Error(`require verification: ${error.message}`);
    return json({ ok: true, message: 'Saved.' }, { headers: ctx.headers });
  }
  if (intent !== 'hours') return errorResponse(400, 'invalid_request', 'Unknown action.', ctx.headers);
  const parsed = officeHoursSchema.safeParse(hoursFormToInput(form));
  if (!parsed.success) {
    return errorResponse(422, 'validation_failed', 'Check the highlighted fields.', ctx.headers, { fieldErrors: fieldErrors(parsed.error) });
  }
  const row = hoursFormToRow(parsed.data);
  // Update, else insert: company_id is not an updatable column, so an upsert would be refused.
  const updated = await ctx.supabase.from('office_hours').update(row).eq('company_id', companyId).select('company_id');
  const error = updated.error ?? (updated.data?.length ? null : (await ctx.supabase.from('office_hours').insert({ company_id: companyId, ...row })).error);
  if (error) {
    if (error.code === '23514') return errorResponse(422, 'validation_failed', 'Check the time zone and the hours.', ctx.headers, { fieldErrors: { _form: error.message } });
    throw new Error(`save office hours: ${error.message}`);
  }
  return json({ ok: true, message: 'Saved.' }, { headers: ctx.headers });
}

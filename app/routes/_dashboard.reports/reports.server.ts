// The reports page's loader and its one action. Every member of the company (agents and admins, ADR 0016) reads
// the figures of a date range (and label), computed in SQL as them (RLS). A bad range is a 400 with {code, message}, not a
// 500. Admins set the rating scale (the companies row, through RLS: only their own company).
import { type ActionFunctionArgs, json, type LoaderFunctionArgs } from '@remix-run/node';
import { z } from 'zod';
import { errorResponse, requireAdmin, requireAgent } from '../../lib/auth.server.ts';
import { fieldErrors, readForm } from '../../lib/validation.ts';
import { check } from '../../models/query.server.ts';
import { companyTimeZone, listLabels, loadReport } from '../../models/reports.server.ts';
import { readReportQuery } from '../../models/reports.ts';

export const ratingScaleSchema = z.object({ intent: z.literal('scale'), scale: z.enum(['five', 'thumbs']) });

export async function loader({ request, context }: LoaderFunctionArgs) {
  const ctx = await requireAgent(request, context);
  const parsed = readReportQuery(new URL(request.url).searchParams);
  if (!parsed.success) {
    throw errorResponse(400, 'invalid_range', 'Choose a valid date range.', ctx.headers, { fieldErrors: fieldErrors(parsed.error) });
  }
  const timeZone = await companyTimeZone(ctx.supabase, ctx.current.companyId);
  const [report, company, labels] = await Promise.all([
    loadReport(ctx.supabase, ctx.current.companyId, parsed.data, timeZone),
    ctx.supabase.from('companies').select('rating_scale').eq('id', ctx.current.companyId).single(),
    listLabels(ctx.supabase, ctx.current.companyId),
  ]);
  const scale = (check(company, 'company') as { rating_scale: 'five' | 'thumbs' }).rating_scale;
  return json({ query: parsed.data, timeZone, report, scale, labels, isAdmin: ctx.current.role === 'admin' }, { headers: ctx.headers });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const ctx = await requireAdmin(request, context);
  const parsed = ratingScaleSchema.safeParse(await readForm(request));
  if (!parsed.success) return errorResponse(422, 'validation_failed', 'Choose five stars or thumbs.', ctx.headers, { fieldErrors: fieldErrors(parsed.error) });
  const { error } = await ctx.supabase.from('companies').update({ rating_scale: parsed.data.scale }).eq('id', ctx.current.companyId);
  if (error) return errorResponse(403, 'forbidden', error.message, ctx.headers);
  return json({ ok: true, message: 'Saved.' }, { headers: ctx.headers });
}

// GET /reports.csv?from=…&to=… — the conversations of the range with their figures, as CSV (a resource route;
// the same query and RLS as the reports page, read in keyset pages so that each query stays small). Cells that a spreadsheet would run as a formula are quoted as text.
import type { LoaderFunctionArgs } from '@remix-run/node';
import { errorResponse, requireAgent } from '../../lib/auth.server.ts';
import { fieldErrors } from '../../lib/validation.ts';
import { type ConversationReportRow, companyTimeZone, reportConversations } from '../../models/reports.server.ts';
import { readReportQuery } from '../../models/reports.ts';
import { toCsv } from './csv.ts';

export async function loader({ request, context }: LoaderFunctionArgs) {
  const ctx = await requireAgent(request, context);
  const parsed = readReportQuery(new URL(request.url).searchParams);
  if (!parsed.success) throw errorResponse(400, 'invalid_range', 'Choose a valid date range.', ctx.headers, { fieldErrors: fieldErrors(parsed.error) });
  const rows: ConversationReportRow[] = [];
  const timeZone = await companyTimeZone(ctx.supabase, ctx.current.companyId);
  for await (const page of reportConversations(ctx.supabase, ctx.current.companyId, parsed.data, timeZone)) rows.push(...page);
  const headers = new Headers(ctx.headers);
  headers.set('Content-Type', 'text/csv; charset=utf-8');
  headers.set('Content-Disposition', `attachment; filename="conversations-${parsed.data.from}-to-${parsed.data.to}.csv"`);
  headers.set('Cache-Control', 'private, no-store');
  const body = toCsv(
    ['conversation_id', 'started_at', 'status', 'platform', 'visitor_name', 'visitor_email', 'assignee', 'first_response_seconds', 'resolution_seconds', 'rating_scale', 'rating_score', 'rating_comment'],
    rows.map((r) => [r.id, new Date(r.started_at).toISOString(), r.status, r.platform, r.visitor_name, r.visitor_email, r.assignee_name, r.first_response_seconds, r.resolution_seconds, r.rating_scale, r.rating_score, r.rating_comment]),
  );
  headers.set('X-Report-Time-Zone', timeZone);
  return new Response(body, { status: 200, headers });
}

import { type ActionFunctionArgs, json, type LoaderFunctionArgs, redirect } from '@remix-run/node';
import { companyCookie, errorResponse, requireAgent } from './auth.server.ts';
import { unreadCounts } from './data.server.ts';
import { publicEnv } from './env.server.ts';
import { readFormData } from './validation.ts';

export async function dashboardLoader({ request, context }: LoaderFunctionArgs) {
  const ctx = await requireAgent(request, context);
  // The widget key names the availability topic the dashboard announces the agent on (issue 18).
  const [unread, widget] = await Promise.all([
    unreadCounts(ctx.supabase, ctx.current.companyId),
    ctx.supabase.from('widget_configs').select('widget_key').eq('company_id', ctx.current.companyId).maybeSingle(),
  ]);
  return json(
    {
      env: publicEnv(),
      user: { id: ctx.user.id, email: ctx.user.email ?? '' },
      current: ctx.current,
      memberships: ctx.memberships,
      unread,
      widgetKey: (widget.data?.widget_key as string | undefined) ?? null,
    },
    { headers: ctx.headers },
  );
}

/** Switch the company the agent works in; only companies they belong to. */
export async function switchCompanyAction({ request, context }: ActionFunctionArgs) {
  const ctx = await requireAgent(request, context);
  const form = await readFormData(request);
  const companyId = String(form.get('companyId') ?? '');
  if (!ctx.memberships.some((m) => m.companyId === companyId)) {
    return errorResponse(403, 'not_a_member', 'You are not a member of that company.', ctx.headers, {
      fieldErrors: { companyId: 'You are not a member of that company.' },
    });
  }
  ctx.headers.append('Set-Cookie', await companyCookie.serialize(companyId));
  return redirect('/inbox', { headers: ctx.headers });
}

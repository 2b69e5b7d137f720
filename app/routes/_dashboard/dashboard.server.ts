// The signed-in shell's data: the agent, their memberships, the browser's public env and the unread counts.
import { json, type LoaderFunctionArgs } from '@remix-run/node';
import { requireAgent } from '../../lib/auth.server.ts';
import { publicEnv } from '../../lib/env.server.ts';
import { unreadCounts } from '../../models/conversations.server.ts';

export async function loader({ request, context }: LoaderFunctionArgs) {
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

// The signed-in shell's data: the agent, their memberships, the browser's public env and the unread counts.
import { json, type LoaderFunctionArgs } from '@remix-run/node';
import { requireAgent } from '../../lib/auth.server.ts';
import { publicEnv } from '../../lib/env.server.ts';
import { unreadCounts } from '../../models/conversations.server.ts';

export async function loader({ request, context }: LoaderFunctionArgs) {
  const ctx = await requireAgent(request, context);
  const unread = await unreadCounts(ctx.supabase, ctx.current.companyId);
  return json(
    {
      env: publicEnv(),
      user: { id: ctx.user.id, email: ctx.user.email ?? '' },
      current: ctx.current,
      memberships: ctx.memberships,
      unread,
    },
    { headers: ctx.headers },
  );
}

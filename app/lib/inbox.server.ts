import { json, type LoaderFunctionArgs } from '@remix-run/node';
import { z } from 'zod';
import { requireAgent } from './auth.server.ts';
import { gravatarUrl, listConversations } from './data.server.ts';

export const inboxQuerySchema = z.object({
  status: z.enum(['open', 'pending', 'resolved', 'all']).catch('open'),
  scope: z.enum(['all', 'mine', 'unassigned']).catch('all'),
  q: z
    .string()
    .trim()
    .max(100)
    .catch('')
    .transform((s) => [...s].filter((ch) => ch.charCodeAt(0) >= 0x20).join('')),
  after: z.string().max(200).nullable().catch(null),
});

export function parseInboxQuery(url: URL) {
  return inboxQuerySchema.parse({
    status: url.searchParams.get('status') ?? undefined,
    scope: url.searchParams.get('scope') ?? undefined,
    q: url.searchParams.get('q') ?? '',
    after: url.searchParams.get('after'),
  });
}

export async function inboxLoader({ request }: LoaderFunctionArgs) {
  const ctx = await requireAgent(request);
  const query = parseInboxQuery(new URL(request.url));
  const { items, nextCursor } = await listConversations(ctx.supabase, ctx.current.companyId, ctx.user.id, query);
  return json(
    {
      query,
      nextCursor,
      conversations: items.map((c) => ({
        id: c.id,
        platform: c.platform,
        status: c.status,
        assigneeId: c.assignee_id,
        unread: c.unread_count,
        lastMessageAt: c.last_message_at,
        preview: c.last_message_preview ?? '',
        visitorName: c.visitor?.name || c.visitor?.email || 'Visitor',
        visitorEmail: c.visitor?.email ?? null,
        gravatar: gravatarUrl(c.visitor?.email),
      })),
    },
    { headers: ctx.headers },
  );
}

// The inbox's loaders: the first page for the inbox route and older pages by cursor (inbox.older), one shape.
import { json, type LoaderFunctionArgs } from '@remix-run/node';
import { z } from 'zod';
import { requireAgent } from '../../lib/auth.server.ts';
import { gravatarUrl } from '../../lib/gravatar.server.ts';
import { listConversations } from '../../models/conversations.server.ts';
import { labelIdsOf, listLabels } from '../../models/labels.server.ts';

export const inboxQuerySchema = z.object({
  status: z.enum(['open', 'pending', 'resolved', 'all']).catch('open'),
  scope: z.enum(['all', 'mine', 'unassigned']).catch('all'),
  platform: z.enum(['all', 'widget', 'facebook', 'instagram']).catch('all'),
  q: z
    .string()
    .trim()
    .max(100)
    .catch('')
    .transform((s) => [...s].filter((ch) => ch.charCodeAt(0) >= 0x20).join('')),
  after: z.string().max(200).nullable().catch(null),
  label: z.string().uuid().nullable().catch(null),
  // A search's date range (calendar days); anything else is no bound.
  from: z.iso.date().nullable().catch(null),
  to: z.iso.date().nullable().catch(null),
});

export function parseInboxQuery(url: URL) {
  return inboxQuerySchema.parse({
    status: url.searchParams.get('status') ?? undefined,
    scope: url.searchParams.get('scope') ?? undefined,
    platform: url.searchParams.get('platform') ?? undefined,
    q: url.searchParams.get('q') ?? '',
    after: url.searchParams.get('after'),
    from: url.searchParams.get('from'),
    to: url.searchParams.get('to'),
    label: url.searchParams.get('label'),
  });
}

/** One page of the inbox (the first, or an older one by cursor), shaped as the live store keeps its rows. */
export async function inboxPage({ request, context }: LoaderFunctionArgs) {
  const ctx = await requireAgent(request, context);
  const query = parseInboxQuery(new URL(request.url));
  const [{ items, nextCursor }, labels] = await Promise.all([
    listConversations(ctx.supabase, ctx.current.companyId, ctx.user.id, query),
    listLabels(ctx.supabase, ctx.current.companyId),
  ]);
  const labelIds = await labelIdsOf(
    ctx.supabase,
    items.map((c) => c.id),
  );
  const conversations = items.map((c) => ({
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
    updatedAt: c.updated_at,
    visitorLastMessageId: c.visitor_last_read_message_id,
    labelIds: labelIds.get(c.id) ?? [],
    snippet: c.snippet ?? null,
  }));
  return { body: { query, nextCursor, conversations, labels }, headers: ctx.headers };
}

export async function loader(args: LoaderFunctionArgs) {
  const { body, headers } = await inboxPage(args);
  return json(body, { headers });
}

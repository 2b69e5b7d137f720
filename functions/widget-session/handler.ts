// POST widget-session?key=pk_… with the visitor's JWT: checks origin, company and the required pre-chat fields,
// then creates (in one transaction) the visitor, an open conversation and the first message. Repeating the
// request returns the same open conversation.
import { HttpError, clientIp, errorResponse, json, readJson } from '../_shared/http.ts';
import { issues, sessionRequest } from '../_shared/schemas.ts';
import { adminClient, corsHeaders, envNumber, findWidget, originAllowed, rateLimit, requireOrigin, requireVisitor, toMessage } from '../_shared/widget.ts';

export async function handler(req: Request): Promise<Response> {
  const origin = req.headers.get('origin');
  let cors: Record<string, string> = { Vary: 'Origin' };
  try {
    const widget = await findWidget(new URL(req.url).searchParams.get('key'));
    cors = corsHeaders(origin, originAllowed(widget, origin));
    if (req.method === 'OPTIONS') {
      requireOrigin(widget, origin);
      return new Response(null, { status: 204, headers: cors });
    }
    if (req.method !== 'POST') throw new HttpError(405, 'method_not_allowed', 'Use POST.');
    requireOrigin(widget, origin);
    const user = await requireVisitor(req);
    const parsed = sessionRequest.safeParse(await readJson(req));
    if (!parsed.success) throw new HttpError(400, 'invalid_request', 'Some fields are not valid.', { fields: issues(parsed.error) });
    const input = parsed.data;
    for (const field of ['name', 'email', 'phone'] as const) {
      if (widget[`prechat_${field}`] === 'required' && !input[field]) {
        throw new HttpError(422, 'missing_field', `Please enter your ${field}.`, { field });
      }
    }
    const supabase = adminClient();
    // New conversations are limited per visitor and per address; resuming one is not.
    const existing = await supabase
      .from('conversations')
      .select('id, visitors!inner(user_id)')
      .eq('company_id', widget.company_id)
      .eq('visitors.user_id', user.id)
      .neq('status', 'resolved')
      .limit(1);
    if (existing.error) throw new Error(existing.error.message);
    if (!existing.data.length) {
      await rateLimit(`conversation:visitor:${user.id}`, envNumber('WIDGET_CONVERSATIONS_PER_HOUR', 3), 3600, 'new conversations');
      await rateLimit(`conversation:ip:${clientIp(req)}`, envNumber('WIDGET_IP_CONVERSATIONS_PER_HOUR', 60), 3600, 'new conversations from this network');
    }
    if (input.firstMessage) {
      await rateLimit(`message:visitor:${user.id}`, envNumber('WIDGET_MESSAGES_PER_MINUTE', 20), 60, 'messages');
    }
    const { data, error } = await supabase.rpc('widget_start_session', {
      p_company_id: widget.company_id,
      p_user_id: user.id,
      p_name: input.name ?? null,
      p_email: input.email ?? null,
      p_phone: input.phone ?? null,
      p_page_url: input.page?.url ?? null,
      p_page_title: input.page?.title ?? null,
      p_user_agent: req.headers.get('user-agent')?.slice(0, 512) ?? null,
      p_locale: input.locale ?? null,
      p_first_message_id: input.firstMessage?.id ?? null,
      p_first_message_body: input.firstMessage?.body ?? null,
    });
    if (error) {
      if (error.code === '23505') throw new HttpError(409, 'message_id_conflict', 'That message id is already used.');
      throw new Error(`start session failed: ${error.message}`);
    }
    const result = data as { created: boolean; visitor: Record<string, unknown>; conversation: Record<string, unknown> };
    const messages = await supabase
      .from('messages')
      .select('*')
      .eq('conversation_id', result.conversation.id as string)
      .order('created_at', { ascending: false })
      .order('id', { ascending: false })
      .limit(100);
    if (messages.error) throw new Error(messages.error.message);
    return json(
      {
        conversation: { id: result.conversation.id, status: result.conversation.status, createdAt: result.conversation.created_at },
        visitor: { id: result.visitor.id, name: result.visitor.name ?? null, email: result.visitor.email ?? null },
        messages: messages.data.reverse().map(toMessage),
      },
      result.created ? 201 : 200,
      cors,
    );
  } catch (err) {
    return errorResponse(err, cors);
  }
}

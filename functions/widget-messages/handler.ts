// POST widget-messages?key=pk_… — send a visitor message (client-generated id: a retry never stores twice).
// GET  widget-messages?key=pk_…&conversationId=…&after=<message id> — catch up after a reconnect.
// Only for the caller's own conversation.
import { clientIp, errorResponse, HttpError, json, readJson } from '../_shared/http.ts';
import { historyQuery, issues, MAX_MESSAGE_LENGTH, sendRequest } from '../_shared/schemas.ts';
import { adminClient, corsHeaders, envNumber, findWidget, originAllowed, rateLimited, requireOrigin, requireVisitor, toMessage } from '../_shared/widget.ts';

export async function handler(req: Request): Promise<Response> {
  const origin = req.headers.get('origin');
  let cors: Record<string, string> = { Vary: 'Origin' };
  try {
    const url = new URL(req.url);
    const widget = await findWidget(url.searchParams.get('key'));
    cors = corsHeaders(origin, originAllowed(widget, origin));
    if (req.method === 'OPTIONS') {
      requireOrigin(widget, origin);
      return new Response(null, { status: 204, headers: cors });
    }
    requireOrigin(widget, origin);
    const user = requireVisitor(req);

    if (req.method === 'GET') {
      const parsed = historyQuery.safeParse(Object.fromEntries(url.searchParams));
      if (!parsed.success) throw new HttpError(400, 'invalid_request', 'Some parameters are not valid.', { fields: issues(parsed.error) });
      const { conversationId, after, limit } = parsed.data;
      const { data, error } = await adminClient().rpc('widget_history', { p_user_id: user.id, p_conversation_id: conversationId, p_after: after ?? null, p_limit: limit });
      if (error) throw new Error(`history failed: ${error.message}`);
      const result = data as { error?: string; messages: Record<string, unknown>[] };
      if (result.error === 'conversation_not_found') throw new HttpError(404, 'conversation_not_found', 'This conversation does not exist or is not yours.');
      if (result.error === 'invalid_cursor') throw new HttpError(400, 'invalid_cursor', 'The cursor message is not part of this conversation.');
      return json({ messages: result.messages.slice(0, limit).map(toMessage), hasMore: result.messages.length > limit }, 200, cors);
    }

    if (req.method !== 'POST') throw new HttpError(405, 'method_not_allowed', 'Use GET or POST.');
    const raw = await readJson(req);
    const parsed = sendRequest.safeParse(raw);
    if (!parsed.success) {
      const tooLong = parsed.error.issues.some((i) => i.path[0] === 'body' && i.code === 'too_big');
      if (tooLong) throw new HttpError(422, 'message_too_long', `A message can be at most ${MAX_MESSAGE_LENGTH} characters.`);
      throw new HttpError(400, 'invalid_request', 'Some fields are not valid.', { fields: issues(parsed.error) });
    }
    const input = parsed.data;
    const { data, error } = await adminClient().rpc('widget_send_message', {
      p_user_id: user.id,
      p_conversation_id: input.conversationId,
      p_message_id: input.id,
      p_body: input.body,
      p_page_url: input.page?.url ?? null,
      p_ip: clientIp(req),
      p_messages_per_minute: envNumber('WIDGET_MESSAGES_PER_MINUTE', 20),
      p_ip_messages_per_minute: envNumber('WIDGET_IP_MESSAGES_PER_MINUTE', 300),
    });
    if (error) throw new Error(`send failed: ${error.message}`);
    const result = data as { error?: string; retry_after?: number; created?: boolean; message?: Record<string, unknown> };
    if (result.error === 'rate_limited') throw rateLimited(result.retry_after ?? 60);
    if (result.error === 'conversation_not_found') throw new HttpError(404, 'conversation_not_found', 'This conversation does not exist or is not yours.');
    if (result.error === 'message_id_conflict') throw new HttpError(409, 'message_id_conflict', 'That message id is already used by another message.');
    return json({ message: toMessage(result.message!) }, result.created ? 201 : 200, cors);
  } catch (err) {
    return errorResponse(err, cors);
  }
}

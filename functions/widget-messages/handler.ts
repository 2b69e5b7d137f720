// POST widget-messages?key=pk_… — send a visitor message (client-generated id: a retry never stores twice).
// GET  widget-messages?key=pk_…&conversationId=…&after=<message id> — catch up after a reconnect.
// Only for the caller's own conversation with this widget's company (the database checks key, origin and company).
import { dbError } from '../_shared/db.ts';
import { clientIp, errorResponse, HttpError, json, readJson } from '../_shared/http.ts';
import { historyQuery, invalidCharacterFields, invalidInput, MAX_MESSAGE_LENGTH, sendRequest } from '../_shared/schemas.ts';
import { adminClient, corsHeaders, envNumber, findWidget, originAllowed, requireOrigin, requireVisitor, toMessage } from '../_shared/widget.ts';

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
      if (!parsed.success) throw invalidInput(parsed.error, 'Some parameters are not valid.');
      const { conversationId, after, limit } = parsed.data;
      const { data, error } = await adminClient().rpc('widget_history', {
        p_widget_key: widget.widget_key,
        p_origin: origin,
        p_user_id: user.id,
        p_conversation_id: conversationId,
        p_after: after ?? null,
        p_limit: limit,
      });
      if (error) throw dbError(error, 'history');
      const result = data as { messages: Record<string, unknown>[] };
      return json({ messages: result.messages.slice(0, limit).map(toMessage), hasMore: result.messages.length > limit }, 200, cors);
    }

    if (req.method !== 'POST') throw new HttpError(405, 'method_not_allowed', 'Use GET or POST.');
    const raw = await readJson(req);
    const parsed = sendRequest.safeParse(raw);
    if (!parsed.success) {
      const tooLong = parsed.error.issues.some((i) => i.path[0] === 'body' && i.code === 'too_big');
      if (tooLong && !invalidCharacterFields(parsed.error).length) {
        throw new HttpError(422, 'message_too_long', `A message can be at most ${MAX_MESSAGE_LENGTH} characters.`);
      }
      throw invalidInput(parsed.error);
    }
    const input = parsed.data;
    const { data, error } = await adminClient().rpc('widget_send_message', {
      p_widget_key: widget.widget_key,
      p_origin: origin,
      p_user_id: user.id,
      p_conversation_id: input.conversationId,
      p_message_id: input.id,
      p_body: input.body,
      p_page_url: input.page?.url ?? null,
      p_ip: clientIp(req),
      p_messages_per_minute: envNumber('WIDGET_MESSAGES_PER_MINUTE', 20),
      p_ip_messages_per_minute: envNumber('WIDGET_IP_MESSAGES_PER_MINUTE', 300),
    });
    if (error) throw dbError(error, 'send');
    const result = data as { created: boolean; message: Record<string, unknown> };
    return json({ message: toMessage(result.message) }, result.created ? 201 : 200, cors);
  } catch (err) {
    return errorResponse(err, cors);
  }
}

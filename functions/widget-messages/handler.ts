// POST widget-messages?key=pk_… — send a visitor message (client-generated id: a retry never stores twice).
// GET  widget-messages?key=pk_…&conversationId=…&after=<message id> — catch up after a reconnect (with agentRead, status).
// Only for the caller's own conversation with this widget's company (the database checks key, origin and company).
// A message with `attachments` (ids from widget-attachments) is stored only once each file is uploaded to that
// conversation's folder and its bytes are the type it declared (sniffed here; the database checks the rest).
import { sniffFiles, withAttachments } from '../_shared/attachments.ts';
import { answerVisitorMessage } from '../_shared/bot.ts';
import { toMessage } from '../_shared/contract.ts';
import { dbError } from '../_shared/db.ts';
import { widgetEndpoint } from '../_shared/endpoint.ts';
import { clientIp, HttpError, json, readJson } from '../_shared/http.ts';
import { WIDGET_RATE_LIMITS as LIMITS, MAX_MESSAGE_LENGTH } from '../_shared/limits.ts';
import { historyQuery, invalidCharacterFields, invalidInput, sendRequest, sendWithFilesRequest } from '../_shared/schemas.ts';
import { adminClient, envNumber } from '../_shared/supabase.ts';
import { utcMicros } from '../_shared/time.ts';
import { requireVisitor } from '../_shared/visitor.ts';

export const handler = widgetEndpoint({ methods: ['GET', 'POST'] }, async ({ req, url, widget, origin }) => {
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
    const result = data as { messages: Record<string, unknown>[]; agent_read?: { message_id: string | null; at: string | null } };
    const read = result.agent_read;
    // How far the agents have read: the widget's "Seen" under the visitor's last message up to there.
    const agentRead = read?.message_id ? { messageId: read.message_id, at: read.at ? utcMicros(read.at) : null } : null;
    // The status too (issue 21: a resolved conversation shows the rating prompt), read once ownership is checked,
    // with the updated_at it is from: the widget keeps the newest of this and the conversation.updated broadcasts.
    const [page, conversation] = await Promise.all([
      withAttachments(adminClient(), result.messages.slice(0, limit)),
      adminClient().from('conversations').select('status, updated_at').eq('id', conversationId).single().then(({ data }) => data as { status: string; updated_at: string } | null),
    ]);
    const statusAt = conversation ? utcMicros(conversation.updated_at) : undefined;
    return json({ messages: page.map(toMessage), hasMore: result.messages.length > limit, agentRead, status: conversation?.status, statusAt }, 200);
  }

  const raw = await readJson(req);
  const withFiles = typeof raw === 'object' && raw !== null && 'attachments' in raw;
  const parsed = (withFiles ? sendWithFilesRequest : sendRequest).safeParse(raw);
  if (!parsed.success) {
    const tooLong = parsed.error.issues.some((i) => i.path[0] === 'body' && i.code === 'too_big');
    if (tooLong && !invalidCharacterFields(parsed.error).length) {
      throw new HttpError(422, 'message_too_long', `A message can be at most ${MAX_MESSAGE_LENGTH} characters.`);
    }
    throw invalidInput(parsed.error);
  }
  const input = parsed.data;
  const files = 'attachments' in input ? await sniffFiles(adminClient(), input.attachments, input.conversationId, user.id) : null;
  const { data, error } = await adminClient().rpc(files ? 'widget_send_message_with_files' : 'widget_send_message', {
    p_widget_key: widget.widget_key,
    p_origin: origin,
    p_user_id: user.id,
    p_conversation_id: input.conversationId,
    p_message_id: input.id,
    p_body: input.body,
    p_page_url: input.page?.url ?? null,
    p_ip: clientIp(req),
    p_messages_per_minute: envNumber(LIMITS.messagesPerMinute),
    p_ip_messages_per_minute: envNumber(LIMITS.ipMessagesPerMinute),
    ...(files ? { p_files: files } : {}),
  });
  if (error) throw dbError(error, 'send');
  const result = data as { created: boolean; message: Record<string, unknown>; attachments?: unknown[] };
  const message = { ...result.message, attachments: result.attachments ?? [] };
  // Once stored, the Auto Bot may answer (at most once per message; a retry finds it answered or not eligible).
  if (result.created) await answerVisitorMessage(input.id, input.body);
  return json({ message: toMessage(message) }, result.created ? 201 : 200);
});

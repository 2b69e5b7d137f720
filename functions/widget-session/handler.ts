// POST widget-session?key=pk_… with the visitor's JWT: checks the required pre-chat fields, then creates (in one
// transaction) the visitor, an open conversation and the first message. Repeating the request returns the same
// open conversation. The database checks key, origin and company again, and a refusal there writes nothing.
import { withAttachments } from '../_shared/attachments.ts';
import { answerVisitorMessage } from '../_shared/bot.ts';
import { toMessage } from '../_shared/contract.ts';
import { dbError } from '../_shared/db.ts';
import { widgetEndpoint } from '../_shared/endpoint.ts';
import { clientIp, HttpError, json, readJson } from '../_shared/http.ts';
import { WIDGET_RATE_LIMITS as LIMITS } from '../_shared/limits.ts';
import { invalidInput, sessionRequest } from '../_shared/schemas.ts';
import { adminClient, envNumber } from '../_shared/supabase.ts';
import { stripControlCharacters } from '../_shared/text-rules.ts';
import { requireVisitor } from '../_shared/visitor.ts';

export const handler = widgetEndpoint({ methods: ['POST'] }, async ({ req, widget, origin }) => {
  const user = requireVisitor(req);
  const parsed = sessionRequest.safeParse(await readJson(req));
  if (!parsed.success) throw invalidInput(parsed.error);
  const input = parsed.data;
  for (const field of ['name', 'email', 'phone'] as const) {
    if (widget[`prechat_${field}`] === 'required' && !input[field]) {
      throw new HttpError(422, 'missing_field', `Please enter your ${field}.`, { field });
    }
  }
  const { data, error } = await adminClient().rpc('widget_start_session', {
    p_widget_key: widget.widget_key,
    p_origin: origin,
    p_user_id: user.id,
    p_name: input.name ?? null,
    p_email: input.email ?? null,
    p_phone: input.phone ?? null,
    p_page_url: input.page?.url ?? null,
    p_page_title: input.page?.title ?? null,
    p_user_agent: stripControlCharacters(req.headers.get('user-agent') ?? '').slice(0, 512) || null,
    p_locale: input.locale ?? null,
    p_first_message_id: input.firstMessage?.id ?? null,
    p_first_message_body: input.firstMessage?.body ?? null,
    p_ip: clientIp(req),
    p_conversations_per_hour: envNumber(LIMITS.conversationsPerHour),
    p_ip_conversations_per_hour: envNumber(LIMITS.ipConversationsPerHour),
    p_messages_per_minute: envNumber(LIMITS.messagesPerMinute),
    p_ip_messages_per_minute: envNumber(LIMITS.ipMessagesPerMinute),
  });
  if (error) throw dbError(error, 'start session');
  const result = data as {
    created: boolean;
    visitor: Record<string, unknown>;
    conversation: Record<string, unknown>;
    messages: Record<string, unknown>[];
  };
  // The first message of a new conversation is the Auto Bot's first question (it stays quiet when off or unsure).
  if (result.created && input.firstMessage) await answerVisitorMessage(input.firstMessage.id, input.firstMessage.body);
  return json(
    {
      conversation: { id: result.conversation.id, status: result.conversation.status, createdAt: result.conversation.created_at },
      visitor: { id: result.visitor.id, name: result.visitor.name ?? null, email: result.visitor.email ?? null },
      // A resumed conversation's messages may carry files; a new one's cannot yet.
      messages: (result.created ? result.messages : await withAttachments(adminClient(), result.messages)).map(toMessage),
    },
    result.created ? 201 : 200,
  );
});

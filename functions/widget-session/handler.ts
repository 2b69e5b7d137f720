// POST widget-session?key=pk_… with the visitor's JWT: checks origin, company and the required pre-chat fields,
// then creates (in one transaction) the visitor, an open conversation and the first message. Repeating the
// request returns the same open conversation. The database checks key, origin and company again, and a refusal
// there writes nothing.
import { dbError } from '../_shared/db.ts';
import { clientIp, errorResponse, HttpError, json, readJson } from '../_shared/http.ts';
import { invalidInput, sessionRequest } from '../_shared/schemas.ts';
import { stripControlCharacters } from '../_shared/text-rules.ts';
import { adminClient, corsHeaders, envNumber, findWidget, originAllowed, requireOrigin, requireVisitor, toMessage } from '../_shared/widget.ts';

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
      p_conversations_per_hour: envNumber('WIDGET_CONVERSATIONS_PER_HOUR', 3),
      p_ip_conversations_per_hour: envNumber('WIDGET_IP_CONVERSATIONS_PER_HOUR', 60),
      p_messages_per_minute: envNumber('WIDGET_MESSAGES_PER_MINUTE', 20),
      p_ip_messages_per_minute: envNumber('WIDGET_IP_MESSAGES_PER_MINUTE', 300),
    });
    if (error) throw dbError(error, 'start session');
    const result = data as {
      created: boolean;
      visitor: Record<string, unknown>;
      conversation: Record<string, unknown>;
      messages: Record<string, unknown>[];
    };
    return json(
      {
        conversation: { id: result.conversation.id, status: result.conversation.status, createdAt: result.conversation.created_at },
        visitor: { id: result.visitor.id, name: result.visitor.name ?? null, email: result.visitor.email ?? null },
        messages: result.messages.map(toMessage),
      },
      result.created ? 201 : 200,
      cors,
    );
  } catch (err) {
    return errorResponse(err, cors);
  }
}

// POST widget-attachments?key=pk_… — a signed upload URL for one file the visitor attaches to their conversation.
// Checked before any URL exists: origin (widgetEndpoint), the visitor's JWT, the file's type (allow-list) and size
// (the company's limit), the sanitised name, and the per-visitor and per-address hourly quota; the database
// reserves the path company/<id>/conversation/<id>/<attachment id>/<safe name> in the same transaction. The
// upload itself goes straight to Storage; the message that carries the file is sent to widget-messages.
import { isAllowedType, toAttachment } from '../_shared/attachment-rules.ts';
import { signUploads, sweepDeletedAttachments } from '../_shared/attachments.ts';
import { dbError } from '../_shared/db.ts';
import { widgetEndpoint } from '../_shared/endpoint.ts';
import { clientIp, HttpError, json, readJson } from '../_shared/http.ts';
import { WIDGET_RATE_LIMITS as LIMITS } from '../_shared/limits.ts';
import { attachmentRequest, invalidInput } from '../_shared/schemas.ts';
import { adminClient, envNumber } from '../_shared/supabase.ts';
import { requireVisitor } from '../_shared/visitor.ts';

export const handler = widgetEndpoint({ methods: ['POST'] }, async ({ req, widget, origin }) => {
  const user = requireVisitor(req);
  const parsed = attachmentRequest.safeParse(await readJson(req));
  if (!parsed.success) throw invalidInput(parsed.error);
  const input = parsed.data;
  if (!isAllowedType(input.contentType)) throw new HttpError(415, 'attachment_type_refused', 'Files of this type cannot be sent here.');

  const admin = adminClient();
  const { data, error } = await admin.rpc('widget_attachment_begin', {
    p_widget_key: widget.widget_key,
    p_origin: origin,
    p_user_id: user.id,
    p_conversation_id: input.conversationId,
    p_attachment_id: input.id,
    p_name: input.name,
    p_content_type: input.contentType,
    p_size: input.size,
    p_thumbnail_size: input.thumbnail?.size ?? null,
    p_ip: clientIp(req),
    p_per_hour: envNumber(LIMITS.attachmentsPerHour),
    p_ip_per_hour: envNumber(LIMITS.ipAttachmentsPerHour),
  });
  if (error) throw dbError(error, 'attachment');
  const result = data as { created: boolean; attachment: Record<string, unknown> };
  const attachment = toAttachment(result.attachment);
  const uploads = await signUploads(admin, attachment);
  // Housekeeping on the way out: a deleted conversation's files leave Storage (bounded, never fails the call).
  await sweepDeletedAttachments(admin, 50).catch((err) => console.error(err));
  return json({ attachment, ...uploads }, result.created ? 201 : 200);
});

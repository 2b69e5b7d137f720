// Agents' attachments, by the widget's rules: the dashboard reserves a path for the signed-in agent (membership,
// type, the company's size limit, an hourly quota) and hands out Storage's signed upload URL; a reply with files
// is stored once each file exists in the conversation's folder and its bytes are its type (functions/_shared/
// attachments.ts, the same code as the Edge Functions). Downloads stream through here as the agent (RLS), with
// Content-Disposition: attachment and nosniff for anything but an image shown inline. In a Messenger/Instagram
// conversation the stored reply then goes to the Send API (meta-send sends its files by signed URL).
import type { SupabaseClient } from '@supabase/supabase-js';
import { ATTACHMENT_BUCKET, isAllowedType, isInlineImage, toAttachment } from '../../functions/_shared/attachment-rules.ts';
import { signUploads, sniffFiles } from '../../functions/_shared/attachments.ts';
import { dbError } from '../../functions/_shared/db.ts';
import { HttpError } from '../../functions/_shared/http.ts';
import { AGENT_ATTACHMENTS_PER_HOUR } from '../../functions/_shared/limits.ts';
import { attachmentRequest, invalidInput, sendWithFilesRequest } from '../../functions/_shared/schemas.ts';
import { sendIfChannel } from '../models/meta.server.ts';
import { type AgentContext, errorResponse } from './auth.server.ts';
import { env } from './env.server.ts';
import { createServiceRoleClient } from './supabase.server.ts';

async function readJsonBody(request: Request): Promise<unknown> {
  const text = await request.text();
  if (text.length > 32_768) throw new HttpError(413, 'payload_too_large', 'The request body is too large.');
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'invalid_json', 'The body must be JSON.');
  }
}

function answer(ctx: AgentContext, run: () => Promise<Response>): Promise<Response> {
  return run().catch((err) => {
    if (err instanceof HttpError) return errorResponse(err.status, err.code, err.message, ctx.headers, err.extra);
    throw err;
  });
}

/** POST /attachments/upload — a signed upload URL for one file of the agent's reply. */
export function beginAgentUpload(ctx: AgentContext, request: Request): Promise<Response> {
  return answer(ctx, async () => {
    const parsed = attachmentRequest.safeParse(await readJsonBody(request));
    if (!parsed.success) throw invalidInput(parsed.error);
    const input = parsed.data;
    if (!isAllowedType(input.contentType)) throw new HttpError(415, 'attachment_type_refused', 'Files of this type cannot be sent here.');
    const admin = createServiceRoleClient();
    const { data, error } = await admin.rpc('agent_attachment_begin', {
      p_agent_id: ctx.user.id,
      p_conversation_id: input.conversationId,
      p_attachment_id: input.id,
      p_name: input.name,
      p_content_type: input.contentType,
      p_size: input.size,
      p_thumbnail_size: input.thumbnail?.size ?? null,
      p_per_hour: AGENT_ATTACHMENTS_PER_HOUR,
    });
    if (error) throw dbError(error, 'attachment');
    const result = data as { created: boolean; attachment: Record<string, unknown> };
    const attachment = toAttachment(result.attachment);
    const uploads = await signUploads(admin, attachment);
    const base = `${env().supabaseUrl}/storage/v1/object/upload/sign/${ATTACHMENT_BUCKET}/`;
    const url = (u: { path: string; token: string } | null) => (u ? { ...u, url: `${base}${encodeURI(u.path)}?token=${u.token}` } : null);
    return Response.json({ attachment, upload: url(uploads.upload), thumbnailUpload: url(uploads.thumbnailUpload) }, { status: result.created ? 201 : 200, headers: ctx.headers });
  });
}

/** POST /attachments/send — the agent's reply with 1 to 5 uploaded files (idempotent by message id). */
export function sendAgentFiles(ctx: AgentContext, request: Request): Promise<Response> {
  return answer(ctx, async () => {
    const parsed = sendWithFilesRequest.safeParse(await readJsonBody(request));
    if (!parsed.success) throw invalidInput(parsed.error);
    const input = parsed.data;
    const admin = createServiceRoleClient();
    const files = await sniffFiles(admin, input.attachments, input.conversationId, ctx.user.id);
    const { data, error } = await admin.rpc('agent_send_message_with_files', {
      p_agent_id: ctx.user.id,
      p_conversation_id: input.conversationId,
      p_message_id: input.id,
      p_body: input.body,
      p_files: files,
    });
    if (error) throw dbError(error, 'send');
    const result = data as { created: boolean; message: Record<string, unknown>; attachments: Record<string, unknown>[] };
    // Messenger/Instagram: stored first, then handed to the Send API (text, then each file), as a reply without files.
    const channel = await sendIfChannel(ctx.supabase, input.conversationId, input.id);
    return Response.json(
      { message: { ...result.message, attachments: result.attachments.map(toAttachment) }, channel },
      { status: result.created ? 201 : 200, headers: ctx.headers },
    );
  });
}

/** A header-safe Content-Disposition for a sanitised name (RFC 6266 with the UTF-8 form too). */
function disposition(kind: 'inline' | 'attachment', name: string): string {
  return `${kind}; filename="${name.replace(/["\\]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/**
 * GET /attachments/:id — the file as the agent may read it (the attachment row and the object through RLS).
 * Images (and ?thumbnail) inline; everything else as a download. Never sniffed, never run (CSP sandbox).
 */
export async function downloadAttachment(supabase: SupabaseClient, headers: Headers, id: string, thumbnail: boolean): Promise<Response> {
  const { data: row } = await supabase.from('attachments').select('name, content_type, object_path, thumbnail_path').eq('id', id).maybeSingle();
  const path = row ? (thumbnail ? row.thumbnail_path : row.object_path) : null;
  if (!row || !path) return errorResponse(404, 'not_found', 'No such file.', headers);
  const { data, error } = await supabase.storage.from(ATTACHMENT_BUCKET).download(path);
  if (error || !data) return errorResponse(404, 'not_found', 'No such file.', headers);
  const type = thumbnail ? 'image/jpeg' : row.content_type;
  const out = new Headers(headers);
  out.set('Content-Type', type);
  out.set('Content-Disposition', disposition(thumbnail || isInlineImage(type) ? 'inline' : 'attachment', row.name));
  out.set('X-Content-Type-Options', 'nosniff');
  out.set('Content-Security-Policy', "default-src 'none'; sandbox");
  out.set('Cache-Control', 'private, max-age=300');
  return new Response(data, { status: 200, headers: out });
}

// Server steps of attachments shared by the Edge Functions and the dashboard's server: signed upload URLs for a
// reservation, the check of stored bytes against their declared type, the files of listed messages, and the sweep
// of deleted attachments' objects. Each takes a service-role client; callers have checked who is asking.
import type { SupabaseClient } from '@supabase/supabase-js';
import { ATTACHMENT_BUCKET, type Attachment, THUMBNAIL_TYPE, toAttachment } from './attachment-rules.ts';
import { HttpError } from './http.ts';
import { sniffType } from './sniff.ts';

export interface SignedUpload {
  path: string;
  token: string;
}

/** Signed upload URLs (Storage's own, valid 2 hours, no overwrite) for a reservation's file and thumbnail. */
export async function signUploads(admin: SupabaseClient, a: Attachment): Promise<{ upload: SignedUpload; thumbnailUpload: SignedUpload | null }> {
  const sign = async (path: string) => {
    const { data, error } = await admin.storage.from(ATTACHMENT_BUCKET).createSignedUploadUrl(path);
    if (error || !data) throw new Error(`signed upload URL failed: ${error?.message}`);
    return { path, token: data.token };
  };
  return { upload: await sign(a.path), thumbnailUpload: a.thumbnailPath ? await sign(a.thumbnailPath) : null };
}

interface Reserved {
  id: string;
  conversation_id: string;
  uploader_id: string;
  object_path: string;
  thumbnail_path: string | null;
  content_type: string;
  message_id: string | null;
}

/** What the stored object's bytes are (null: nothing we know), or undefined when it is not there. */
async function sniffObject(admin: SupabaseClient, path: string, declared: string): Promise<string | null | undefined> {
  const { data, error } = await admin.storage.from(ATTACHMENT_BUCKET).download(path);
  if (error || !data) return undefined; // not uploaded (yet): the database answers attachment_not_uploaded
  return sniffType(declared, new Uint8Array(await data.arrayBuffer()));
}

/**
 * What the send tells the database about each file: the type its bytes really are. A file whose bytes lie about
 * its type is removed from Storage and refused (422) before anything is stored; files that are not the caller's
 * get no sniff and the database refuses them (404), as it refuses files not uploaded yet (409).
 */
export async function sniffFiles(admin: SupabaseClient, ids: string[], conversationId: string, uploaderId: string) {
  const { data, error } = await admin
    .from('attachments')
    .select('id, conversation_id, uploader_id, object_path, thumbnail_path, content_type, message_id')
    .in('id', ids);
  if (error) throw new Error(`attachments lookup failed: ${error.message}`);
  const rows = new Map((data as Reserved[]).map((r) => [r.id, r]));
  const out: { id: string; sniffed: string | null; thumbnail_sniffed: string | null }[] = [];
  for (const id of ids) {
    const row = rows.get(id);
    if (!row || row.conversation_id !== conversationId || row.uploader_id !== uploaderId) {
      out.push({ id, sniffed: null, thumbnail_sniffed: null });
      continue;
    }
    const sniffed = row.message_id ? row.content_type : await sniffObject(admin, row.object_path, row.content_type);
    if (sniffed !== undefined && sniffed !== row.content_type) {
      await admin.storage.from(ATTACHMENT_BUCKET).remove([row.object_path, ...(row.thumbnail_path ? [row.thumbnail_path] : [])]);
      throw new HttpError(422, 'attachment_type_mismatch', 'The file is not of the type it claims to be.', { attachmentId: id });
    }
    const thumb = row.thumbnail_path && !row.message_id ? await sniffObject(admin, row.thumbnail_path, THUMBNAIL_TYPE) : THUMBNAIL_TYPE;
    out.push({ id, sniffed: sniffed ?? null, thumbnail_sniffed: thumb ?? null });
  }
  return out;
}

/** Adds each message's files (`attachments`, possibly empty) to message rows read from an RPC. */
export async function withAttachments(admin: SupabaseClient, messages: Record<string, unknown>[]): Promise<Record<string, unknown>[]> {
  const ids = messages.filter((m) => !Array.isArray(m.attachments)).map((m) => String(m.id));
  if (!ids.length) return messages;
  const { data, error } = await admin.from('attachments').select('*').in('message_id', ids).order('created_at').order('id');
  if (error) throw new Error(`attachments lookup failed: ${error.message}`);
  const byMessage = new Map<string, Record<string, unknown>[]>();
  for (const row of data as Record<string, unknown>[]) {
    const list = byMessage.get(String(row.message_id)) ?? [];
    list.push(row);
    byMessage.set(String(row.message_id), list);
  }
  return messages.map((m) => (Array.isArray(m.attachments) ? m : { ...m, attachments: byMessage.get(String(m.id)) ?? [] }));
}

/** Row attachments (snake_case) of a message row → Attachment[]. */
export function attachmentsOf(row: Record<string, unknown>): Attachment[] {
  return Array.isArray(row.attachments) ? (row.attachments as Record<string, unknown>[]).map(toAttachment) : [];
}

/**
 * Removes the objects of deleted attachments (a deleted conversation's files) through the Storage API, then
 * their queue rows; returns how many were removed. Runs after each upload grant and from the dashboard.
 */
export async function sweepDeletedAttachments(admin: SupabaseClient, limit = 100): Promise<number> {
  const { data, error } = await admin.from('attachment_deletions').select('object_path').order('queued_at').limit(limit);
  if (error) throw new Error(`deletion queue read failed: ${error.message}`);
  const paths = (data as { object_path: string }[]).map((r) => r.object_path);
  if (!paths.length) return 0;
  const removed = await admin.storage.from(ATTACHMENT_BUCKET).remove(paths);
  if (removed.error) throw new Error(`removing deleted attachments failed: ${removed.error.message}`);
  // Paths Storage no longer holds (never uploaded, or removed already) leave the queue too.
  const done = await admin.from('attachment_deletions').delete().in('object_path', paths);
  if (done.error) throw new Error(`deletion queue cleanup failed: ${done.error.message}`);
  return paths.length;
}

// Files a Messenger/Instagram user sent: Meta's webhook carries each as a URL on its CDN (for a while). The webhook
// fetches each once its message is stored, keeps only what its bytes say is an allowed type within the company's
// size limit, puts it in the conversation's folder of the attachments bucket and links it to the message
// (meta_attach_files, which also tells the dashboards). A file refused or unreachable is left out; the message keeps
// its "[image]"-style text.
import { ATTACHMENT_BUCKET, DEFAULT_ATTACHMENT_BYTES, isAllowedType, MAX_FILES_PER_MESSAGE, safeFileName } from '../attachment-rules.ts';
import { sniffType } from '../sniff.ts';
import { adminClient } from '../supabase.ts';
import { readRaw } from './raw-body.ts';

export interface InboundFile {
  type: string;
  url: string;
}

export interface StoredMessage {
  messageId: string;
  conversationId: string;
  companyId: string;
}

const EXTENSIONS: Record<string, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/gif': 'gif', 'image/webp': 'webp', 'application/pdf': 'pdf' };

/** The URL's bytes, or null when it is not http(s), does not answer 200 in time, or is larger than `max`. */
async function download(url: string, max: number): Promise<{ bytes: Uint8Array; declared: string; name: string } | null> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return null;
  const res = await fetch(u, { signal: AbortSignal.timeout(10_000), redirect: 'follow' }).catch(() => null);
  if (!res?.ok || !res.body) return null;
  const bytes = await readRaw(res, max).catch(() => null);
  if (!bytes) return null;
  const declared = (res.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  const last = u.pathname.split('/').pop() ?? '';
  let name = last;
  try {
    name = decodeURIComponent(last);
  } catch {
    // A malformed escape: the name as it is (safeFileName makes it safe).
  }
  return { bytes, declared, name };
}

/** Fetches, checks and stores the files of a stored message, then links them to it. Returns how many were kept. */
export async function storeInboundFiles(stored: StoredMessage, files: InboundFile[]): Promise<number> {
  const admin = adminClient();
  const { data: company } = await admin.from('companies').select('attachment_max_bytes').eq('id', stored.companyId).single();
  const max = Number(company?.attachment_max_bytes ?? DEFAULT_ATTACHMENT_BYTES);
  const kept = await Promise.all(
    files.slice(0, MAX_FILES_PER_MESSAGE).map(async (f) => {
      const got = await download(f.url, max);
      if (!got || got.bytes.byteLength === 0) return null;
      const type = await sniffType(got.declared, got.bytes);
      if (!type || !isAllowedType(type)) return null;
      const id = crypto.randomUUID();
      const name = safeFileName(got.name.includes('.') ? got.name : `${f.type}.${EXTENSIONS[type] ?? 'bin'}`);
      const path = `company/${stored.companyId}/conversation/${stored.conversationId}/${id}/${name}`;
      const { error } = await admin.storage.from(ATTACHMENT_BUCKET).upload(path, got.bytes, { contentType: type });
      if (error) return null;
      return { id, object_path: path, name, content_type: type, size_bytes: got.bytes.byteLength };
    }),
  );
  const rows = kept.filter((r) => r !== null);
  if (!rows.length) return 0;
  const { error } = await admin.rpc('meta_attach_files', { p_message_id: stored.messageId, p_files: rows });
  if (error) throw new Error(`attach files: ${error.message}`);
  return rows.length;
}

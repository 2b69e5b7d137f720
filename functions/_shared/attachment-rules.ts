// Attachment rules every runtime shares (functions, widget, dashboard): the bucket, the allowed types, the counts
// and sizes, and the file-name sanitiser. The migration 20261204000100_attachments.sql states the same limits.

export const ATTACHMENT_BUCKET = 'attachments';
/** Files one message may carry. */
export const MAX_FILES_PER_MESSAGE = 5;
/** The bucket's cap; each company's own limit (companies.attachment_max_bytes, default 10 MB) is at most this. */
export const MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024;
export const DEFAULT_ATTACHMENT_BYTES = 10 * 1024 * 1024;
/** Client-made JPEG thumbnails of images (the free plan has no image transformation; ADR 0010). */
export const THUMBNAIL_MAX_BYTES = 100 * 1024;
export const THUMBNAIL_TYPE = 'image/jpeg';

/** Images, PDF, text and office documents; never SVG, HTML or anything a browser would run. */
export const ALLOWED_TYPES = [
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'application/pdf',
  'text/plain',
  'text/csv',
  'application/msword',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.ms-excel',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.ms-powerpoint',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'application/vnd.oasis.opendocument.text',
  'application/vnd.oasis.opendocument.spreadsheet',
  'application/vnd.oasis.opendocument.presentation',
] as const;
export type AllowedType = (typeof ALLOWED_TYPES)[number];

export function isAllowedType(type: string): type is AllowedType {
  return (ALLOWED_TYPES as readonly string[]).includes(type);
}

/** Images the widget and the dashboard show inline (as an <img>, from a thumbnail or a blob URL). */
export function isInlineImage(type: string): boolean {
  return type === 'image/png' || type === 'image/jpeg' || type === 'image/gif' || type === 'image/webp';
}

/**
 * A file name safe as the last segment of a Storage key and in a Content-Disposition: the base name only (no
 * folders, so no traversal), letters, digits, `. _ - ( )` and spaces, no leading dot or `..`, at most 120
 * characters with the extension kept. The database checks the same pattern.
 */
export function safeFileName(raw: string): string {
  const base = raw.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').split(/[\\/]/).pop() ?? '';
  let name = base
    .replace(/[^A-Za-z0-9._ ()-]+/g, '_')
    .replace(/\.{2,}/g, '.')
    .replace(/\s+/g, ' ')
    .replace(/^[^A-Za-z0-9]+/, '')
    .trim();
  if (name.length > 120) {
    const dot = name.lastIndexOf('.');
    const ext = dot > 0 && name.length - dot <= 10 ? name.slice(dot) : '';
    name = name.slice(0, 120 - ext.length).trimEnd() + ext;
  }
  return name || 'file';
}

/** The shape of an attachment in the widget API and the dashboard. */
export interface Attachment {
  id: string;
  name: string;
  contentType: string;
  size: number;
  path: string;
  thumbnailPath: string | null;
}

/** An attachment row (snake_case, as the RPCs and Realtime carry it) → Attachment. */
export function toAttachment(row: Record<string, unknown>): Attachment {
  return {
    id: String(row.id),
    name: String(row.name),
    contentType: String(row.content_type),
    size: Number(row.size_bytes),
    path: String(row.object_path),
    thumbnailPath: (row.thumbnail_path as string | null | undefined) ?? null,
  };
}

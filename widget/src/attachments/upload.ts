// The attachments chunk's network and image work: a JPEG thumbnail made with a canvas (<= 100 KB, ADR 0010), the
// PUT to Storage's signed upload URL with progress and abort, and reading a file with the visitor's JWT.
import { ATTACHMENT_BUCKET, THUMBNAIL_MAX_BYTES, THUMBNAIL_TYPE } from '../../../functions/_shared/attachment-rules.ts';
import type { WidgetClient } from '../client.ts';

const THUMBNAIL_PX = 320;

/** A JPEG of at most 320 px a side and 100 KB, or null when the browser cannot decode the image. */
export async function makeThumbnail(file: Blob): Promise<Blob | null> {
  try {
    const bitmap = await createImageBitmap(file);
    const scale = Math.min(1, THUMBNAIL_PX / Math.max(bitmap.width, bitmap.height));
    const canvas = document.createElement('canvas');
    canvas.width = Math.max(1, Math.round(bitmap.width * scale));
    canvas.height = Math.max(1, Math.round(bitmap.height * scale));
    const g = canvas.getContext('2d')!;
    g.fillStyle = '#fff'; // JPEG has no transparency
    g.fillRect(0, 0, canvas.width, canvas.height);
    g.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    for (const quality of [0.8, 0.6, 0.4]) {
      const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, THUMBNAIL_TYPE, quality));
      if (blob && blob.size <= THUMBNAIL_MAX_BYTES) return blob;
    }
  } catch {
    // Not decodable here (e.g. a format this browser lacks): the file goes without a thumbnail.
  }
  return null;
}

const objectUrl = (client: WidgetClient, kind: 'upload/sign' | 'authenticated', path: string) =>
  `${client.o.supabaseUrl}/storage/v1/object/${kind}/${ATTACHMENT_BUCKET}/${encodeURI(path)}`;

/** PUTs bytes to a signed upload URL; `onProgress` gets 0..1; `abort` cancels (the promise then rejects). */
export function putSigned(client: WidgetClient, upload: { path: string; token: string }, body: Blob, type: string, onProgress: (p: number) => void) {
  const xhr = new XMLHttpRequest();
  const done = new Promise<void>((resolve, reject) => {
    xhr.open('PUT', `${objectUrl(client, 'upload/sign', upload.path)}?token=${encodeURIComponent(upload.token)}`);
    xhr.setRequestHeader('apikey', client.o.anonKey);
    xhr.setRequestHeader('Content-Type', type);
    xhr.setRequestHeader('x-upsert', 'false');
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onload = () => (xhr.status < 300 ? resolve() : reject(new Error(`upload ${xhr.status}`)));
    xhr.onerror = xhr.onabort = () => reject(new Error('upload stopped'));
    xhr.send(body);
  });
  return { done, abort: () => xhr.abort() };
}

/** A file of the visitor's conversation, read with their JWT (Storage's select policy decides). */
export async function fetchFile(client: WidgetClient, path: string): Promise<Blob> {
  const s = await client.session(false);
  const res = await fetch(objectUrl(client, 'authenticated', path), { headers: { apikey: client.o.anonKey, Authorization: `Bearer ${s.access_token}` } });
  if (!res.ok) throw new Error(`download ${res.status}`);
  return res.blob();
}

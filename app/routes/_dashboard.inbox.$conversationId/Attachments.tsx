// Files in the conversation view: a message's files (thumbnails that open full size, cards that download through
// /attachments/:id with Content-Disposition: attachment) and the composer's tray (attach, paste, drop, progress,
// cancel). Uploads go to Storage's signed upload URLs from /attachments/upload; the reply to /attachments/send.
import { useEffect, useRef, useState } from 'react';
import { isAllowedType, isInlineImage, MAX_FILES_PER_MESSAGE } from '../../../functions/_shared/attachment-rules.ts';
import type { FileRow } from '../../models/attachments.server.ts';

const sizeLabel = (n: number) => (n < 1024 ? `${n} B` : n < 1048576 ? `${Math.round(n / 1024)} KB` : `${(n / 1048576).toFixed(1)} MB`);

export function MessageFiles({ files }: { files: FileRow[] }) {
  if (!files.length) return null;
  return (
    <span className="files">
      {files.map((f) =>
        isInlineImage(f.content_type) ? (
          <a key={f.id} href={`/attachments/${f.id}`} target="_blank" rel="noreferrer" className="thumb" aria-label={`Open ${f.name}`}>
            <img src={`/attachments/${f.id}${f.thumbnail_path ? '?thumbnail' : ''}`} alt={f.name} />
          </a>
        ) : (
          <a key={f.id} href={`/attachments/${f.id}`} download={f.name} className="file-card" aria-label={`Download ${f.name}`}>
            <span>{f.name}</span>
            <small>{sizeLabel(f.size_bytes)}</small>
          </a>
        ),
      )}
    </span>
  );
}

/** The sidebar's list of every file of the conversation. */
export function FileList({ files }: { files: FileRow[] }) {
  return (
    <section aria-label="Files">
      <h3>Files</h3>
      {files.length ? (
        <ul className="file-list">
          {files.map((f) => (
            <li key={f.id}>
              <a href={`/attachments/${f.id}`} download={isInlineImage(f.content_type) ? undefined : f.name}>
                {f.name}
              </a>{' '}
              <small>{sizeLabel(f.size_bytes)}</small>
            </li>
          ))}
        </ul>
      ) : (
        <p>No files yet.</p>
      )}
    </section>
  );
}

interface Pending {
  key: string;
  name: string;
  progress: number;
  done?: string;
  error?: string;
  xhr?: XMLHttpRequest;
}

async function makeThumbnail(file: File): Promise<Blob | null> {
  try {
    const bitmap = await createImageBitmap(file);
    const scale = Math.min(1, 320 / Math.max(bitmap.width, bitmap.height));
    const canvas = document.createElement('canvas');
    canvas.width = Math.max(1, Math.round(bitmap.width * scale));
    canvas.height = Math.max(1, Math.round(bitmap.height * scale));
    const g = canvas.getContext('2d')!;
    g.fillStyle = '#fff';
    g.fillRect(0, 0, canvas.width, canvas.height);
    g.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    const blob = await new Promise<Blob | null>((r) => canvas.toBlob(r, 'image/jpeg', 0.7));
    return blob && blob.size <= 100 * 1024 ? blob : null;
  } catch {
    return null;
  }
}

function put(url: string, body: Blob, type: string, onProgress: (p: number) => void, keep: (x: XMLHttpRequest) => void) {
  return new Promise<void>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    keep(xhr);
    xhr.open('PUT', url);
    xhr.setRequestHeader('Content-Type', type);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onload = () => (xhr.status < 300 ? resolve() : reject(new Error(String(xhr.status))));
    xhr.onerror = xhr.onabort = () => reject(new Error('stopped'));
    xhr.send(body);
  });
}

/** The composer's files: state, uploads, and paste/drop on `target`. */
export function useAttachmentTray(conversationId: string, target: React.RefObject<HTMLElement | null>) {
  const [items, setItems] = useState<Pending[]>([]);
  const live = useRef(items);
  live.current = items;
  const patch = (key: string, p: Partial<Pending>) => setItems((list) => list.map((i) => (i.key === key ? { ...i, ...p } : i)));

  const add = (files: File[]) => {
    const room = MAX_FILES_PER_MESSAGE - live.current.length;
    for (const file of files.slice(0, Math.max(0, room))) {
      const p: Pending = { key: crypto.randomUUID(), name: file.name || 'screenshot.png', progress: 0 };
      if (!isAllowedType(file.type)) p.error = 'This type of file cannot be sent.';
      setItems((list) => [...list, p]);
      if (!p.error) void upload(p, file);
    }
  };

  const upload = async (p: Pending, file: File) => {
    try {
      const thumb = isInlineImage(file.type) ? await makeThumbnail(file) : null;
      const res = await fetch('/attachments/upload', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ conversationId, id: p.key, name: p.name, contentType: file.type, size: file.size, thumbnail: thumb ? { size: thumb.size } : undefined }),
      });
      const data = await res.json();
      if (!res.ok) throw new Error(data.message ?? 'Upload refused.');
      await put(data.upload.url, file, file.type, (progress) => patch(p.key, { progress }), (xhr) => patch(p.key, { xhr }));
      if (thumb && data.thumbnailUpload) await put(data.thumbnailUpload.url, thumb, thumb.type, () => undefined, () => undefined).catch(() => undefined);
      patch(p.key, { progress: 1, done: data.attachment.id });
    } catch (err) {
      patch(p.key, { error: (err as Error).message === 'stopped' ? 'Cancelled.' : 'Upload failed.' });
    }
  };

  useEffect(() => {
    const el = target.current;
    if (!el) return;
    const onPaste = (e: ClipboardEvent) => {
      const files = [...(e.clipboardData?.files ?? [])];
      if (files.length) {
        e.preventDefault();
        add(files);
      }
    };
    const onDragOver = (e: DragEvent) => e.dataTransfer?.types.includes('Files') && e.preventDefault();
    const onDrop = (e: DragEvent) => {
      const files = [...(e.dataTransfer?.files ?? [])];
      if (files.length) {
        e.preventDefault();
        add(files);
      }
    };
    el.addEventListener('paste', onPaste);
    el.addEventListener('dragover', onDragOver);
    el.addEventListener('drop', onDrop);
    return () => {
      el.removeEventListener('paste', onPaste);
      el.removeEventListener('dragover', onDragOver);
      el.removeEventListener('drop', onDrop);
    };
  });

  const cancel = (key: string) => {
    live.current.find((i) => i.key === key)?.xhr?.abort();
    setItems((list) => list.filter((i) => i.key !== key));
  };
  const busy = items.some((i) => !i.done && !i.error);
  const ready = items.flatMap((i) => (i.done ? [i.done] : []));
  return { items, add, cancel, busy, ready, clear: () => setItems([]) };
}

export function TrayView({ tray }: { tray: ReturnType<typeof useAttachmentTray> }) {
  return (
    <div className="tray">
      <label className="attach">
        <span aria-hidden="true">📎</span>
        <span className="sr-only">Attach files</span>
        <input
          type="file"
          multiple
          className="sr-only"
          onChange={(e) => {
            tray.add([...(e.target.files ?? [])]);
            e.target.value = '';
          }}
        />
      </label>
      {tray.items.length > 0 && (
        <ul aria-live="polite">
          {tray.items.map((i) => (
            <li key={i.key} data-upload={i.done ? 'done' : i.error ? 'failed' : 'uploading'}>
              {i.name} {i.error ? <span className="error">{i.error}</span> : !i.done && <progress max={1} value={i.progress} aria-label={`Uploading ${i.name}`} />}
              <button type="button" aria-label={`Remove ${i.name}`} onClick={() => tray.cancel(i.key)}>
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** @jsxImportSource preact */
// The widget's attachments, a lazy chunk the panel loads once a conversation exists (the panel's budget holds):
// the composer's tray (attach button, paste, drop, progress and cancel; up to 5 files) and a message's files
// (thumbnails that open full size, cards with name and size that download). Uploads go to Storage's signed upload
// URLs handed out by widget-attachments; the send carries their ids (ADR 0010).
import { useEffect, useState } from 'preact/hooks';
import { type Attachment, isAllowedType, isInlineImage, MAX_FILES_PER_MESSAGE } from '../../../functions/_shared/attachment-rules.ts';
import { attachments as en } from '../../locales/en-attachments.ts';
import type { WidgetClient } from '../client.ts';
import { fetchFile, makeThumbnail, putSigned } from './upload.ts';

// The transcript button rides in this chunk (loaded once a conversation exists): a chunk of its own would cost the
// panel the bytes of a second lazy import.
export { Transcript } from '../transcript/index.tsx';

type Strings = typeof en;

const CSS = `
.at{display:flex;flex-wrap:wrap;gap:6px}
.at li{list-style:none;display:flex;align-items:center;gap:6px;font-size:12px;background:#f3f4f6;border-radius:8px;padding:4px 6px;max-width:100%}
.at progress{width:70px}
.at .er{color:#b91c1c}
.ab{background:#f3f4f6;border:1px solid #d1d5db;border-radius:8px;padding:8px 10px;color:#111}
.ab:focus-visible,.fc:focus-visible,.th:focus-visible,.lb button:focus-visible{outline:3px solid var(--a,#f59e0b);outline-offset:1px}
.fl{display:flex;flex-direction:column;gap:4px;margin-top:4px}
.th{border:0;padding:0;background:none;border-radius:8px;overflow:hidden;max-width:200px}
.th img{display:block;max-width:200px;max-height:160px}
.fc{display:flex;flex-direction:column;align-items:flex-start;text-align:left;background:#fff;color:#111;border:1px solid #d1d5db;border-radius:8px;padding:6px 8px;font-size:13px}
.fc small{color:#374151;opacity:1;font-size:12px}
.lb{position:absolute;inset:0;background:rgba(0,0,0,.85);display:flex;flex-direction:column;align-items:center;justify-content:center;gap:8px;z-index:2;padding:12px}
.lb img{max-width:100%;max-height:85%}
.lb button{background:#fff;color:#111;border:0;border-radius:8px;padding:6px 12px}
`;

/** The panel's strings for a language other than English (loaded with the panel), else English. */
export const strings = (t?: Strings): Strings => t ?? en;

/** 1234567 → "1.2 MB". */
export const sizeLabel = (n: number) => (n < 1024 ? `${n} B` : n < 1048576 ? `${Math.round(n / 1024)} KB` : `${(n / 1048576).toFixed(1)} MB`);

interface Pending {
  key: string;
  name: string;
  progress: number;
  done?: Attachment;
  error?: string;
  abort?: () => void;
}

/** The files being attached to the next message, and their uploads. */
export class Tray {
  items: Pending[] = [];
  notice: string | null = null;
  constructor(
    private client: WidgetClient,
    private conversationId: () => string | null,
    readonly rerender: () => void,
    readonly t: Strings,
  ) {}

  add(files: File[]) {
    this.notice = null;
    for (const file of files) {
      if (this.items.length >= MAX_FILES_PER_MESSAGE) {
        this.notice = this.t.tooMany;
        break;
      }
      const p: Pending = { key: crypto.randomUUID(), name: file.name || 'screenshot.png', progress: 0 };
      this.items.push(p);
      if (!isAllowedType(file.type)) p.error = this.t.typeRefused;
      else void this.upload(p, file);
    }
    this.rerender();
  }

  private async upload(p: Pending, file: File) {
    const set = (patch: Partial<Pending>) => {
      Object.assign(p, patch);
      this.rerender();
    };
    try {
      const thumb = isInlineImage(file.type) ? await makeThumbnail(file) : null;
      const { data } = await this.client.call<{ attachment: Attachment; upload: { path: string; token: string }; thumbnailUpload: { path: string; token: string } | null }>(
        'widget-attachments',
        { body: { conversationId: this.conversationId(), id: p.key, name: p.name, contentType: file.type, size: file.size, thumbnail: thumb ? { size: thumb.size } : undefined } },
      );
      if (!this.items.includes(p)) return; // cancelled meanwhile
      const put = putSigned(this.client, data.upload, file, file.type, (progress) => set({ progress }));
      p.abort = put.abort;
      await put.done;
      if (thumb && data.thumbnailUpload) await putSigned(this.client, data.thumbnailUpload, thumb, thumb.type, () => undefined).done.catch(() => undefined);
      set({ progress: 1, done: data.attachment });
    } catch (err) {
      if (!this.items.includes(p)) return;
      set({ error: (err as { status?: number }).status === 413 ? this.t.tooLarge : (err as { status?: number }).status === 415 ? this.t.typeRefused : this.t.failed });
    }
  }

  cancel(key: string) {
    const p = this.items.find((i) => i.key === key);
    this.items = this.items.filter((i) => i !== p);
    p?.abort?.();
    this.rerender();
  }

  /** Whether an upload is still running (the message waits for it). */
  get busy() {
    return this.items.some((i) => !i.done && !i.error);
  }

  /** The uploaded files for the message being sent; the tray is emptied. */
  take(): Attachment[] {
    const done = this.items.flatMap((i) => (i.done ? [i.done] : []));
    this.items = [];
    this.notice = null;
    return done;
  }
}

/** The attach button, the list of files being attached, and paste and drop on the panel. */
export function TrayView({ tray, root }: { tray: Tray; root: HTMLElement | null }) {
  const t = tray.t;
  useEffect(() => {
    if (!root) return;
    const files = (list: FileList | null | undefined) => [...(list ?? [])];
    const onPaste = (e: ClipboardEvent) => {
      const pasted = files(e.clipboardData?.files);
      if (pasted.length) {
        e.preventDefault();
        tray.add(pasted);
      }
    };
    const onDragOver = (e: DragEvent) => e.dataTransfer?.types.includes('Files') && e.preventDefault();
    const onDrop = (e: DragEvent) => {
      const dropped = files(e.dataTransfer?.files);
      if (dropped.length) {
        e.preventDefault();
        tray.add(dropped);
      }
    };
    root.addEventListener('paste', onPaste);
    root.addEventListener('dragover', onDragOver);
    root.addEventListener('drop', onDrop);
    return () => {
      root.removeEventListener('paste', onPaste);
      root.removeEventListener('dragover', onDragOver);
      root.removeEventListener('drop', onDrop);
    };
  }, [root, tray]);
  return (
    <>
      <style>{CSS}</style>
      <label class="ab">
        <span aria-hidden="true">📎</span>
        <span style="position:absolute;left:-9999px">{t.attach}</span>
        <input
          type="file"
          multiple
          style="position:absolute;left:-9999px;width:1px"
          onChange={(e) => {
            const input = e.target as HTMLInputElement;
            tray.add([...(input.files ?? [])]);
            input.value = '';
          }}
        />
      </label>
      {(tray.items.length > 0 || tray.notice) && (
        <ul class="at" aria-live="polite">
          {tray.items.map((i) => (
            <li key={i.key} data-upload={i.done ? 'done' : i.error ? 'failed' : 'uploading'}>
              <span>{i.name}</span>
              {i.error ? <span class="er">{i.error}</span> : !i.done && <progress max={1} value={i.progress} aria-label={t.uploading(i.name)} />}
              <button type="button" class="k" aria-label={t.remove(i.name)} onClick={() => tray.cancel(i.key)}>
                ×
              </button>
            </li>
          ))}
          {tray.notice && <li class="er">{tray.notice}</li>}
        </ul>
      )}
    </>
  );
}

const blobUrls = new Map<string, Promise<string>>();
const urlOf = (client: WidgetClient, path: string) => {
  let url = blobUrls.get(path);
  if (!url) {
    url = fetchFile(client, path).then((b) => URL.createObjectURL(b));
    url.catch(() => blobUrls.delete(path));
    blobUrls.set(path, url);
  }
  return url;
};

function Thumbnail({ file, client, t, onOpen }: { file: Attachment; client: WidgetClient; t: Strings; onOpen: () => void }) {
  const [src, setSrc] = useState<string | null>(null);
  useEffect(() => {
    urlOf(client, file.thumbnailPath ?? file.path).then(setSrc, () => undefined);
  }, [file.thumbnailPath, file.path]);
  return (
    <button type="button" class="th" aria-label={t.open(file.name)} onClick={onOpen}>
      {src ? <img src={src} alt={file.name} /> : <span>{file.name}</span>}
    </button>
  );
}

async function download(client: WidgetClient, file: Attachment) {
  // Saved through a download link on a Blob: the page never navigates to the file, so nothing of it can run.
  const a = document.createElement('a');
  a.href = await urlOf(client, file.path);
  a.download = file.name;
  a.click();
}

/** A message's files: images as thumbnails that open full size, the rest as cards that download. */
export function Files({ files, client, t: given }: { files: Attachment[]; client: WidgetClient; t?: Strings }) {
  const t = strings(given);
  const [open, setOpen] = useState<{ file: Attachment; src: string } | null>(null);
  return (
    <div class="fl">
      {files.map((f) =>
        isInlineImage(f.contentType) ? (
          <Thumbnail key={f.id} file={f} client={client} t={t} onOpen={() => urlOf(client, f.path).then((src) => setOpen({ file: f, src }))} />
        ) : (
          <button key={f.id} type="button" class="fc" aria-label={t.download(f.name)} onClick={() => void download(client, f)}>
            <span>{f.name}</span>
            <small>{sizeLabel(f.size)}</small>
          </button>
        ),
      )}
      {open && (
        <div class="lb" role="dialog" aria-label={open.file.name}>
          <img src={open.src} alt={open.file.name} />
          <button type="button" onClick={() => setOpen(null)}>
            {t.close}
          </button>
        </div>
      )}
    </div>
  );
}

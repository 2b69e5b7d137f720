/** @jsxImportSource preact */
// A verified person's earlier conversations (any of their devices), read-only: a list, and one opened in place.
import { useState } from 'preact/hooks';
import { isInlineImage } from '../../../functions/_shared/attachment-rules.ts';
import type { WidgetClient } from '../client.ts';
import type { ChatMessage } from '../text.ts';
import type { AwayStrings } from './index.tsx';

export interface EarlierConversation {
  id: string;
  status: string;
  createdAt: string;
  lastMessageAt: string;
  preview: string;
}

export function Earlier({ client, conversations, locale, t }: { client: WidgetClient; conversations: EarlierConversation[]; locale: string; t: AwayStrings }) {
  const [open, setOpen] = useState<{ id: string; messages: ChatMessage[] | null; failed?: boolean } | null>(null);
  const when = (iso: string) => new Date(iso).toLocaleString(locale, { dateStyle: 'medium', timeStyle: 'short' });
  const show = (id: string) => {
    setOpen({ id, messages: null });
    client.call<{ messages: ChatMessage[] }>('widget-identify', { query: { conversationId: id } }).then(
      ({ data }) => setOpen({ id, messages: data.messages }),
      () => setOpen({ id, messages: [], failed: true }),
    );
  };
  return (
    <details class="er" data-testid="earlier">
      <summary>{t.earlier(conversations.length)}</summary>
      {open ? (
        <div>
          <button class="k" type="button" onClick={() => setOpen(null)}>
            {t.back}
          </button>
          {open.messages === null ? (
            <p>{t.loading}</p>
          ) : open.failed ? (
            <p>{t.failed}</p>
          ) : (
            <ul aria-label={when(conversations.find((c) => c.id === open.id)?.lastMessageAt ?? '')}>
              {open.messages.map((m) => (
                <li key={m.id} data-message-id={m.id}>
                  <small>{m.senderKind === 'visitor' ? '' : m.authorName}</small>
                  {/* A text node, never HTML (links stay text in this read-only view). */}
                  {m.body}
                  {m.attachments?.map((a) => (
                    <small key={a.id}>{`${isInlineImage(a.contentType) ? t.image : t.file}: ${a.name}`}</small>
                  ))}
                </li>
              ))}
            </ul>
          )}
        </div>
      ) : (
        <ul>
          {conversations.map((c) => (
            <li key={c.id}>
              <button type="button" onClick={() => show(c.id)}>
                <small>{when(c.lastMessageAt)}</small>
                {c.preview}
              </button>
            </li>
          ))}
        </ul>
      )}
    </details>
  );
}

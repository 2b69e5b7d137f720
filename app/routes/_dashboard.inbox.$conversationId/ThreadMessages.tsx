// The thread's stored messages: day separators, notes marked private, files, and the delivery state of ours —
// "Seen" (with its time on the newest seen one) up to the visitor's read mark, and Meta's delivery on channels.
import { Fragment } from 'react';
import type { Message } from '../../../functions/_shared/contract.ts';
import { clockTime, dayKey, dayLabel } from '../../lib/format.ts';
import type { ThreadFiles } from '../../lib/thread-files.ts';
import { MessageFiles } from './Attachments.tsx';
import { ChannelDelivery, type ChannelDeliveryState } from './ChannelDelivery.tsx';

interface ThreadConversation {
  platform: string;
  visitor_last_read_message_id: string | null;
  visitor_last_read_at?: string | null;
}

export function ThreadMessages({
  conversation,
  messages,
  files,
  channel,
}: {
  conversation: ThreadConversation;
  messages: readonly Message[];
  files: ThreadFiles;
  channel: { deliveries: readonly (ChannelDeliveryState & { message_id: string })[] } | null;
}) {
  const deliveries = new Map((channel?.deliveries ?? []).map((d) => [d.message_id, d]));
  const readIndex = conversation.visitor_last_read_message_id ? messages.findIndex((m) => m.id === conversation.visitor_last_read_message_id) : -1;
  const ours = (m: Message) => (m.senderKind === 'agent' || m.senderKind === 'bot') && !m.isPrivate;
  let seenIndex = -1;
  messages.forEach((m, i) => {
    if (i <= readIndex && ours(m)) seenIndex = i;
  });
  const seenAt = conversation.visitor_last_read_at ? new Date(conversation.visitor_last_read_at).toLocaleString() : '';
  let lastDay = '';
  return messages.map((m, i) => {
    const day = dayKey(m.createdAt);
    const sep = day !== lastDay;
    lastDay = day;
    const mine = ours(m);
    return (
      <Fragment key={m.id}>
        {sep ? <div className="day">{dayLabel(m.createdAt)}</div> : null}
        <div
          className={`msg ${m.senderKind}${m.isPrivate ? ' note' : ''}`}
          data-testid="message"
          data-message-id={m.id}
          data-sender={m.senderKind}
          data-private={m.isPrivate ? 'true' : undefined}
          data-state="sent"
        >
          {m.isPrivate ? <span className="note-tag">Private note</span> : null}
          {m.body}
          <MessageFiles files={files.byMessage.get(m.id) ?? []} />
          <span className="meta">
            {m.senderKind !== 'visitor' && m.authorName ? `${m.authorName} · ` : ''}
            <time dateTime={m.createdAt}>{clockTime(m.createdAt)}</time>
            {mine && channel ? <ChannelDelivery messageId={m.id} platform={conversation.platform} delivery={deliveries.get(m.id)} /> : null}
            {mine ? (
              <span data-testid="delivery">
                {i === seenIndex ? (
                  <span data-testid="seen-mark" title={seenAt ? `Seen ${seenAt}` : 'Seen'}>
                    {' · Seen'}
                  </span>
                ) : readIndex >= i ? (
                  ' · Seen'
                ) : (
                  ' · Sent'
                )}
              </span>
            ) : null}
          </span>
        </div>
      </Fragment>
    );
  });
}

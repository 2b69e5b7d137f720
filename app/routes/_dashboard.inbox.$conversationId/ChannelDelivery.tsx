// Messenger/Instagram: a reply's Send API state (sent, delivered, read, retrying by itself after a Meta outage, or
// failed with the platform's reason; both with a Retry now), and the notice that replaces the composer outside
// Meta's 24-hour window.
import { useFetcher } from '@remix-run/react';
import { platformLabel } from '../../components/PlatformBadge.tsx';

export interface ChannelDeliveryState {
  status: 'pending' | 'sent' | 'delivered' | 'read' | 'failed';
  error: string | null;
  next_attempt_at?: string | null;
}

const LABELS = { pending: 'Sending to', sent: 'Sent to', delivered: 'Delivered on', read: 'Read on', failed: 'Not delivered to' } as const;

export function ChannelDelivery({ messageId, platform, delivery }: { messageId: string; platform: string; delivery?: ChannelDeliveryState }) {
  const fetcher = useFetcher<{ ok?: boolean; message?: string }>();
  const status = delivery?.status ?? 'pending';
  const retrying = fetcher.state !== 'idle';
  // Pending with a reason: the quick tries failed and the background job sends it again by itself.
  const willRetry = status === 'pending' && !!delivery?.error && !!delivery.next_attempt_at;
  return (
    <span className={`channel-delivery ${status}`} data-testid="channel-delivery" data-status={willRetry ? 'retrying' : status}>
      {willRetry ? ` · Not delivered yet to ${platformLabel(platform)}, trying again automatically` : ` · ${LABELS[status]} ${platformLabel(platform)}`}
      {status === 'failed' || status === 'pending' ? (
        <>
          {delivery?.error ? <span data-testid="delivery-error">{` (${delivery.error})`}</span> : null}{' '}
          <button type="button" className="link" disabled={retrying} onClick={() => fetcher.submit({ intent: 'deliver', messageId }, { method: 'post' })}>
            {retrying ? 'Retrying…' : willRetry ? 'Retry now' : 'Retry'}
          </button>
        </>
      ) : null}
    </span>
  );
}

export function ChannelWindowClosed({ platform }: { platform: string }) {
  return (
    <p id="window-closed" className="composer-closed" role="status" data-testid="window-closed">
      {`Replies are closed: ${platformLabel(platform)} lets a page answer only within 24 hours of the customer's last message. They can write again to reopen it.`}
    </p>
  );
}

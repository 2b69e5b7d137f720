// A reply on its way: submitted once when it appears (its client-made id makes a retry idempotent), shown as
// "Sending…" until the loader has it, or "Not sent" with the reason and a Retry button.
import { useFetcher } from '@remix-run/react';
import { useEffect, useRef } from 'react';

export type Outgoing = { id: string; body: string; createdAt: string; isPrivate?: boolean };

export function OutgoingMessage({ message }: { message: Outgoing }) {
  const fetcher = useFetcher<{ ok?: boolean; message?: string }>({ key: `send:${message.id}` });
  const submitted = useRef(false);
  const send = () =>
    fetcher.submit({ intent: 'send', id: message.id, body: message.body, ...(message.isPrivate ? { isPrivate: 'true' } : {}) }, { method: 'post' });
  // biome-ignore lint/correctness/useExhaustiveDependencies: submit once on mount; retries are explicit
  useEffect(() => {
    if (submitted.current) return;
    submitted.current = true;
    send();
  }, []);
  const failed = fetcher.state === 'idle' && fetcher.data !== undefined && !fetcher.data.ok;
  return (
    <div
      className={`msg agent${message.isPrivate ? ' note' : ''} ${failed ? 'failed' : 'pending'}`}
      data-testid="message"
      data-private={message.isPrivate ? 'true' : undefined}
      data-state={failed ? 'failed' : 'sending'}
    >
      {message.body}
      <span className="meta">
        {failed ? (
          <>
            Not sent{fetcher.data?.message ? ` (${fetcher.data.message})` : ''} ·{' '}
            <button type="button" className="link" onClick={send}>
              Retry
            </button>
          </>
        ) : (
          'Sending…'
        )}
      </span>
    </div>
  );
}

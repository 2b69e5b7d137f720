// The emails Porchlight sent this conversation's visitor (ADR 0014), each with its state: queued (with the
// retry's reason, if any), sent, or failed with the reason the email API gave.
import { relativeTime } from '../../lib/format.ts';
import type { VisitorEmailRow } from '../../models/visitor-emails.server.ts';

const KIND = { follow_up: 'Follow-up of unseen replies', transcript: 'Transcript' } as const;

function state(e: VisitorEmailRow): string {
  if (e.status === 'sent') return `Sent ${relativeTime(e.sent_at)}`;
  if (e.status === 'failed') return `Failed: ${e.last_error ?? 'unknown reason'}`;
  return e.last_error ? `Queued, retrying (${e.attempts} attempts; last: ${e.last_error})` : 'Queued';
}

export function VisitorEmails({ emails }: { emails: VisitorEmailRow[] }) {
  if (!emails.length) return null;
  return (
    <section aria-labelledby="visitor-emails-title" data-testid="visitor-emails">
      <h3 id="visitor-emails-title">Emails to the visitor</h3>
      <ul>
        {emails.map((e) => (
          <li key={e.id} data-status={e.status}>
            <strong>{KIND[e.kind]}</strong> · <span>{state(e)}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}

// The conversation's labels: its chips, each with a remove button, and a select that adds one of the company's
// other labels. Written through the route's action (RLS: this company's members); other agents see the change
// live (the database's conversation.labeled makes their pages re-read).
import { useFetcher } from '@remix-run/react';
import { LabelChip } from '../../components/LabelChip.tsx';
import type { Label } from '../../models/labels.server.ts';

export function ConversationLabels({ labels, labelIds }: { labels: readonly Label[]; labelIds: readonly string[] }) {
  const fetcher = useFetcher<{ ok?: boolean; message?: string }>();
  const pending = fetcher.formData;
  const pendingId = pending ? String(pending.get('labelId') ?? '') : '';
  const ids = new Set(labelIds);
  if (pending?.get('intent') === 'label-add') ids.add(pendingId);
  if (pending?.get('intent') === 'label-remove') ids.delete(pendingId);
  const on = labels.filter((l) => ids.has(l.id));
  const off = labels.filter((l) => !ids.has(l.id));
  if (!labels.length) return null;
  return (
    <div className="conversation-labels" data-testid="conversation-labels">
      {on.map((l) => (
        <LabelChip key={l.id} name={l.name} color={l.color}>
          <button
            type="button"
            className="chip-remove"
            aria-label={`Remove label ${l.name}`}
            onClick={() => fetcher.submit({ intent: 'label-remove', labelId: l.id }, { method: 'post' })}
          >
            ×
          </button>
        </LabelChip>
      ))}
      {off.length ? (
        <select
          aria-label="Add a label"
          data-testid="add-label"
          value=""
          onChange={(e) => {
            if (e.currentTarget.value) fetcher.submit({ intent: 'label-add', labelId: e.currentTarget.value }, { method: 'post' });
          }}
        >
          <option value="">+ Label</option>
          {off.map((l) => (
            <option key={l.id} value={l.id}>
              {l.name}
            </option>
          ))}
        </select>
      ) : null}
      {fetcher.data && !fetcher.data.ok && fetcher.state === 'idle' ? (
        <span className="field-error" role="alert">
          {fetcher.data.message}
        </span>
      ) : null}
    </div>
  );
}

// A label's chip: its colour as the background, black or white text, whichever contrasts more (WCAG AA).
import type { ReactNode } from 'react';
import { chipTextColor } from '../lib/label-colors.ts';

export function LabelChip({ name, color, children }: { name: string; color: string; children?: ReactNode }) {
  return (
    <span className="label-chip" data-testid="label-chip" style={{ background: color, color: chipTextColor(color) }}>
      {name}
      {children}
    </span>
  );
}

/** The chips of a conversation's labels, in the company's label order. */
export function LabelChips({ ids, labels }: { ids: readonly string[] | undefined; labels: readonly { id: string; name: string; color: string }[] }) {
  const shown = labels.filter((l) => ids?.includes(l.id));
  if (!shown.length) return null;
  return (
    <span className="label-chips">
      {shown.map((l) => (
        <LabelChip key={l.id} name={l.name} color={l.color} />
      ))}
    </span>
  );
}

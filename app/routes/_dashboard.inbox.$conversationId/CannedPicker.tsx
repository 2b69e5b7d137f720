// The composer's `/` picker: typing `/` (and more) as the whole draft lists the company's canned responses,
// filtered as you type; ↑/↓ move, Enter or Tab inserts the reply with its variables filled, Escape closes. The
// textarea stays focused and points at the active option (aria-activedescendant), a listbox of options beside it.
import { type KeyboardEvent, useEffect, useState } from 'react';
import { type CannedResponse, matchCanned, slashQuery } from '../../lib/canned-variables.ts';

const LISTBOX_ID = 'canned-listbox';
const optionId = (id: string) => `canned-${id}`;

export function useCannedPicker(draft: string, canned: readonly CannedResponse[], pick: (c: CannedResponse) => void) {
  const query = slashQuery(draft);
  // Escape closes the picker for this draft; typing on opens it again.
  const [dismissedAt, setDismissedAt] = useState<string | null>(null);
  const [active, setActive] = useState(0);
  const matches = query === null ? [] : matchCanned(canned, query);
  const open = query !== null && dismissedAt !== draft && canned.length > 0;
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new query starts at the first match
  useEffect(() => setActive(0), [query]);
  const current = matches[Math.min(active, matches.length - 1)];

  /** Handles the picker's keys; true when the key was the picker's (the composer then does nothing else). */
  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>): boolean => {
    if (!open) return false;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      if (matches.length) setActive((a) => (a + (e.key === 'ArrowDown' ? 1 : matches.length - 1)) % matches.length);
      return true;
    }
    if ((e.key === 'Enter' && !e.shiftKey) || e.key === 'Tab') {
      if (!current && e.key === 'Tab') return false;
      e.preventDefault();
      if (!current) return true;
      pick(current);
      return true;
    }
    if (e.key === 'Escape') {
      e.preventDefault();
      setDismissedAt(draft);
      return true;
    }
    return false;
  };

  const inputProps = {
    'aria-autocomplete': 'list' as const,
    'aria-controls': open && matches.length ? LISTBOX_ID : undefined,
    'aria-activedescendant': open && current ? optionId(current.id) : undefined,
  };

  const view = (
    <>
      <p className="sr-only" role="status">
        {open ? (matches.length ? `${matches.length} canned responses. Up and down to choose, Enter to insert, Escape to close.` : 'No canned response matches.') : ''}
      </p>
      {open ? (
        <div className="canned-picker" data-testid="canned-picker">
          {matches.length ? (
            <div role="listbox" id={LISTBOX_ID} aria-label="Canned responses" tabIndex={-1}>
              {matches.map((c) => (
                <div
                  key={c.id}
                  tabIndex={-1}
                  id={optionId(c.id)}
                  role="option"
                  aria-selected={c.id === current?.id}
                  data-testid="canned-option"
                  onMouseDown={(e) => {
                    e.preventDefault(); // keep the textarea focused
                    pick(c);
                  }}
                >
                  <strong>/{c.shortcut}</strong> <span>{c.title}</span>
                </div>
              ))}
            </div>
          ) : (
            <p className="muted">{`No canned response matches “/${query}”.`}</p>
          )}
        </div>
      ) : null}
    </>
  );
  return { open, onKeyDown, inputProps, view };
}

// The composer's mode switch: a reply to the visitor, or a private note for the team (ADR 0015). Two toggle
// buttons (aria-pressed) and, in note mode, a visible line saying who will see it.
import type { ComposerMode } from '../../lib/composer-typing.ts';

export function ComposerModeSwitch({ mode, onChange }: { mode: ComposerMode; onChange: (mode: ComposerMode) => void }) {
  return (
    <div className="composer-mode">
      <fieldset className="mode-switch">
        <legend className="sr-only">Composer mode</legend>
        <button type="button" aria-pressed={mode === 'reply'} onClick={() => onChange('reply')} data-testid="mode-reply">
          Reply
        </button>
        <button type="button" aria-pressed={mode === 'note'} onClick={() => onChange('note')} data-testid="mode-note">
          Note
        </button>
      </fieldset>
      {mode === 'note' ? (
        <span className="note-hint" data-testid="note-hint">
          Private note: only your team sees it. The visitor is not told you are typing.
        </span>
      ) : null}
    </div>
  );
}

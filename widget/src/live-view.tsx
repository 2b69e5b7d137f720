/** @jsxImportSource preact */
// What the panel shows of the live signals (issue 18): the team online (or away) and the typical reply time in the
// header, "Sam is typing…" above the composer, and "Seen" under the visitor's last message an agent has read.
import type { panel as en } from '../locales/en.ts';
import type { LiveSignals } from './live.ts';

type Strings = typeof en;

export const LIVE_CSS = '.av{font-size:12px;margin:2px 0 0;display:flex;gap:4px;align-items:center}.ini{border:1px solid;border-radius:50%;padding:1px 4px;font-size:10px}.bub .sn{opacity:1}.ty{margin:0 12px 6px;font-size:12px;color:#4b5563}';

/** `live` is null until its chunk arrives (then nothing is known yet of who is there). */
export function Availability({ live, minutes, t }: { live: LiveSignals | null; minutes: number | null | undefined; t: Strings }) {
  const on = !!live?.agents.length;
  const known = !!live?.known;
  if (!known && !minutes) return null;
  return (
    <p class="av" data-testid="availability" data-state={known ? (on ? 'online' : 'away') : 'unknown'}>
      {live?.agents.map((i) => (
        <span key={i} class="ini" aria-hidden="true">
          {i}
        </span>
      ))}
      {known && <span>{on ? t.online : t.away}</span>}
      {minutes ? <span>{`${known ? '· ' : ''}${t.replies(minutes)}`}</span> : null}
    </p>
  );
}

export function Typing({ live, t }: { live: LiveSignals; t: Strings }) {
  return live.typist.typing ? (
    <p class="ty" data-testid="typing" role="status">
      {t.typing(live.typist.name || t.agent)}
    </p>
  ) : null;
}

// The widget's rating prompt (CSAT), a lazy chunk the panel loads once the visitor's conversation is resolved:
// the company's scale (five stars or thumbs) as a radio group, an optional comment, sent to widget-rating; a
// second submit changes the one rating. Plain DOM into the element the panel gives it (no Preact import, so the
// panel's shared chunk stays as it is); text only through textContent. Strings: en-rating.ts, de-rating.ts.
import { rating as de } from '../../locales/de-rating.ts';
import { rating as en } from '../../locales/en-rating.ts';
import type { PanelHost } from '../shared.ts';

type Scale = 'five' | 'thumbs';
interface Saved {
  scale: Scale;
  score: number;
  comment: string | null;
}

const CSS = `
.rt{border-top:1px solid #e5e7eb;padding:10px 12px;display:flex;flex-direction:column;gap:6px}
.rt fieldset{border:0;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:4px}
.rt legend{font-weight:600;margin-bottom:4px;padding:0}
.rt input[type=radio]{position:absolute;opacity:0;width:1px;height:1px}
.rt .c span{display:inline-block;border:1px solid #4b5563;border-radius:8px;padding:4px 8px;min-width:28px;text-align:center;color:#111;background:#fff;cursor:pointer}
.rt input:checked+span{background:#111;color:#fff;border-color:#111}
.rt input:focus-visible+span,.rt button:focus-visible,.rt textarea:focus-visible{outline:3px solid var(--a,#f59e0b);outline-offset:1px}
.rt .cm{display:flex;flex-direction:column;gap:2px;font-size:13px}
.rt textarea{font:inherit;border:1px solid #4b5563;border-radius:8px;padding:6px}
.rt button{align-self:flex-start;background:#111;color:#fff;border:0;border-radius:8px;padding:6px 12px}
.rt button:disabled{background:#4b5563}
.rt p{margin:0;font-size:13px}.rt .er{color:#b91c1c}
`;

/** The choices of a scale, worst first: [score, label]. */
export function choices(scale: Scale, t: typeof en): [number, string][] {
  return scale === 'thumbs' ? [[0, `👎 ${t.down}`], [1, `👍 ${t.up}`]] : [1, 2, 3, 4, 5].map((n) => [n, `${'★'.repeat(n)} ${t.stars(n)}`]);
}

function el<T extends HTMLElement>(tag: string, props: Record<string, unknown> = {}, ...children: (Node | string)[]): T {
  const node = Object.assign(document.createElement(tag), props) as T;
  node.append(...children);
  return node;
}

/**
 * Renders the prompt into `root` once per conversation (the panel's ref calls this on every render, with null when
 * the element goes); reads the scale and the rating so far.
 */
export async function mount(root: HTMLElement | null, host: PanelHost, state: { conversationId: string | null }): Promise<void> {
  const conversationId = state.conversationId;
  if (!root || !conversationId || root.dataset.conversation === conversationId) return;
  root.dataset.conversation = conversationId;
  const t = host.locale === 'de' ? de : en;
  const { data } = await host.client.call<{ scale: Scale; rating: Saved | null }>('widget-rating', { query: { conversationId } });
  const scale = data.rating?.scale ?? data.scale;
  let score = data.rating?.score ?? null;
  const status = el('p', { role: 'status', textContent: data.rating ? t.thanks : '' });
  const comment = el<HTMLTextAreaElement>('textarea', { name: 'comment', rows: 2, maxLength: 1000, value: data.rating?.comment ?? '' });
  const submit = el<HTMLButtonElement>('button', { type: 'submit', disabled: score === null, textContent: data.rating ? t.change : t.submit });
  const group = el('fieldset', {}, el('legend', { textContent: t.question }));
  for (const [n, label] of choices(scale, t)) {
    const input = el('input', { type: 'radio', name: 'score', value: String(n), checked: score === n });
    input.addEventListener('change', () => {
      score = n;
      submit.disabled = false;
    });
    group.append(el('label', { className: 'c' }, input, el('span', { textContent: label })));
  }
  const form = el<HTMLFormElement>('form', { className: 'rt' }, el('style', { textContent: CSS }), group, el('label', { className: 'cm' }, t.commentLabel, comment), submit, status);
  form.dataset.testid = 'rating';
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (score === null) return;
    submit.disabled = true;
    host.client.call('widget-rating', { body: { conversationId, score, comment: comment.value.trim() || undefined } }).then(
      () => {
        status.className = '';
        status.textContent = t.thanks;
        submit.textContent = t.change;
      },
      () => {
        status.className = 'er';
        status.textContent = t.failed;
      },
    ).finally(() => (submit.disabled = false));
  });
  root.replaceChildren(form);
}

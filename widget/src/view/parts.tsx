/** @jsxImportSource preact */
// Small pieces of the panel's view: message text with safe links (never HTML), and a pre-chat form field.
import type { FieldMode } from '../shared.ts';
import type { Strings } from '../sync/ports.ts';
import { linkify } from '../text.ts';

export function Text({ text }: { text: string }) {
  return (
    <>
      {linkify(text).map((p, i) =>
        p.kind === 'link' ? (
          <a key={i} href={p.href} target="_blank" rel="noopener noreferrer nofollow">
            {p.text}
          </a>
        ) : (
          p.text
        ),
      )}
    </>
  );
}

export function Field(props: { name: string; label: string; mode: FieldMode; type: 'text' | 'email' | 'tel'; value: string; error?: string; t: Strings; onInput: (v: string) => void }) {
  if (props.mode === 'off') return null;
  const id = `pl-${props.name}`;
  return (
    <label for={id}>
      <span>
        {props.label} {props.mode === 'optional' ? props.t.optional : ''}
      </span>
      <input
        id={id}
        name={props.name}
        type={props.type as "text"}
        value={props.value}
        required={props.mode === 'required'}
        aria-invalid={props.error ? 'true' : 'false'}
        aria-describedby={props.error ? `${id}-e` : undefined}
        onInput={(e) => props.onInput((e.target as HTMLInputElement).value)}
      />
      {props.error && (
        <span id={`${id}-e`} class="e">
          {props.error}
        </span>
      )}
    </label>
  );
}

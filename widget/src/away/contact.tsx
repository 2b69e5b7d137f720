/** @jsxImportSource preact */
// The away form: the email the team answers to (and in contact-form mode the name), with the message. The email
// is stored on the visitor through widget-session (a new conversation) or widget-identify (an existing one).
import { useEffect, useRef, useState } from 'preact/hooks';
import type { PanelHost } from '../shared.ts';
import type { ChatSync } from '../sync/engine.ts';
import { type AwayStrings, emailGiven } from './index.tsx';

interface Props {
  host: PanelHost;
  state: ChatSync;
  withName: boolean;
  message: string;
  t: AwayStrings;
}

function Input({ name, label, error, ...rest }: { name: string; label: string; error?: string; type?: string; autoComplete?: string; required?: boolean }) {
  const id = `pl-away-${name}`;
  return (
    <label for={id}>
      <span>{label}</span>
      <input id={id} name={name} type={(rest.type ?? 'text') as 'text'} autoComplete={rest.autoComplete} required={rest.required} aria-invalid={error ? 'true' : 'false'} aria-describedby={error ? `${id}-e` : undefined} />
      {error && (
        <span id={`${id}-e`} class="e">
          {error}
        </span>
      )}
    </label>
  );
}

export function Contact({ host, state, withName, message, t }: Props) {
  const [errors, setErrors] = useState<Record<string, string>>({});
  const ref = useRef<HTMLFormElement>(null);
  // The form may replace the composer the panel had focused: focus stays inside the dialog.
  useEffect(() => ref.current?.querySelector('input')?.focus(), []);
  const submit = async (e: Event) => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const value = (n: string) => ((form.elements.namedItem(n) as HTMLInputElement | null)?.value ?? '').trim();
    const name = value('name');
    const email = value('email');
    const body = value('message');
    const errs: Record<string, string> = {};
    if (!email) errs.email = t.required;
    // The browser's email rule (type=email) here; widget-session and widget-identify refuse what zod does not take.
    else if ((form.elements.namedItem('email') as HTMLInputElement).validity.typeMismatch) errs.email = t.invalidEmail;
    if (!body) errs.message = t.required;
    setErrors(errs);
    if (Object.keys(errs).length) return;
    if (state.conversationId) {
      // An existing conversation: the email goes on the visitor first (a verified visitor's stays as signed).
      await host.client.call('widget-identify', { body: { email, ...(name ? { name } : {}) } }).catch(() => undefined);
    }
    localStorage.setItem(emailGiven(host), '1');
    void state.send(body, state.conversationId ? undefined : { name, email, phone: '' });
  };
  return (
    <form class="ct" ref={ref} onSubmit={submit} noValidate data-testid="away-form">
      <p>
        <strong>{t.awayTitle}</strong>
      </p>
      <p>{message}</p>
      {withName && <Input name="name" label={t.name} autoComplete="name" />}
      <Input name="email" label={withName ? t.email : t.askEmail} type="email" autoComplete="email" required error={errors.email} />
      <label for="pl-away-message">
        <span>{t.message}</span>
        <textarea id="pl-away-message" name="message" rows={3} required aria-invalid={errors.message ? 'true' : 'false'} aria-describedby={errors.message ? 'pl-away-message-e' : undefined} />
        {errors.message && (
          <span id="pl-away-message-e" class="e">
            {errors.message}
          </span>
        )}
      </label>
      <button class="s" type="submit">
        {t.send}
      </button>
    </form>
  );
}

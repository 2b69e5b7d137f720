// Email settings (admins): when an unseen reply is emailed to the visitor, and the Reply-To of those emails.
import { Form, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { AdminOnlyError } from '../../components/AdminOnlyError.tsx';
import type { loader } from './settings.server.ts';

export { sessionHeaders as headers } from '../../lib/headers.ts';
export { action, loader } from './settings.server.ts';

type ActionData = { ok?: boolean; message?: string; fieldErrors?: Record<string, string> };

export default function EmailSettings() {
  const { values } = useLoaderData<typeof loader>();
  const actionData = useActionData<ActionData>();
  const saving = useNavigation().state === 'submitting';
  const errors = actionData?.fieldErrors ?? {};
  const error = (name: string) =>
    errors[name] ? (
      <p className="field-error" id={`${name}-error`}>
        {errors[name]}
      </p>
    ) : null;
  return (
    <main className="page settings">
      <h1>Email follow-up</h1>
      <p className="muted">When an agent’s reply stays unseen, the visitor who left an email gets it by email once, with a link back to the chat.</p>
      <Form method="post" noValidate>
        <label>
          Minutes before an unseen reply is emailed
          <input name="followUpMinutes" type="number" min={1} max={1440} defaultValue={values.followUpMinutes} aria-invalid={!!errors.followUpMinutes} aria-describedby={errors.followUpMinutes ? 'followUpMinutes-error' : undefined} />
        </label>
        {error('followUpMinutes')}
        <label>
          Reply-To address (optional)
          <input name="replyTo" type="email" defaultValue={values.replyTo} maxLength={254} aria-invalid={!!errors.replyTo} aria-describedby={errors.replyTo ? 'replyTo-error' : undefined} />
        </label>
        {error('replyTo')}
        {errors._form ? <p className="field-error">{errors._form}</p> : null}
        <button type="submit" className="primary" disabled={saving}>
          Save
        </button>
        {actionData?.ok ? <p role="status">{actionData.message}</p> : null}
      </Form>
    </main>
  );
}

export function ErrorBoundary() {
  return <AdminOnlyError page="email settings" />;
}

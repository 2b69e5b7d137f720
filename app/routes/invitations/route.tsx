// Invitations waiting for the signed-in user: accept one to join that company (choosing a password first if invited by email).
import type { MetaFunction } from '@remix-run/node';
import { Form, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import type { loader } from './invitations.server.ts';

export { sessionHeaders as headers } from '../../lib/headers.ts';
export { action, loader } from './invitations.server.ts';

export const meta: MetaFunction = () => [{ title: 'Invitations · Porchlight' }];

type ActionData = { code: string; message: string; fieldErrors?: Record<string, string> } | undefined;

export default function Invitations() {
  const { email, needsPassword, invitations } = useLoaderData<typeof loader>();
  const actionData = useActionData<ActionData>();
  const busy = useNavigation().state !== 'idle';
  const errors = actionData?.fieldErrors ?? {};
  return (
    <main className="login">
      <div className="card login-card">
        <h1>
          <span className="logo" aria-hidden="true">◉</span> Porchlight
        </h1>
        <p className="muted">Signed in as {email}.</p>
        {invitations.length === 0 ? <p>No pending invitations for this address. Ask an admin to invite you.</p> : null}
        {invitations.map((inv) => (
          <Form method="post" key={inv.id} className="invitation" data-testid="invitation" style={{ display: 'grid', gap: 10 }} noValidate>
            <h2>Join {inv.company_name}</h2>
            <p>
              As {inv.role === 'admin' ? 'an admin' : 'an agent'}, shown to visitors as “{inv.display_name}”.
            </p>
            <input type="hidden" name="invitationId" value={inv.id} />
            {needsPassword ? (
              <label>
                Choose a password
                <input name="password" type="password" autoComplete="new-password" minLength={8} required aria-invalid={!!errors.password} />
              </label>
            ) : null}
            {errors.password ? <p className="field-error">{errors.password}</p> : null}
            <button type="submit" className="primary" disabled={busy}>
              Accept and join {inv.company_name}
            </button>
          </Form>
        ))}
        {actionData && !actionData.fieldErrors ? (
          <p className="form-error" role="alert">
            {actionData.message}
          </p>
        ) : null}
        <Form method="post" action="/logout">
          <button type="submit">Sign out</button>
        </Form>
      </div>
    </main>
  );
}

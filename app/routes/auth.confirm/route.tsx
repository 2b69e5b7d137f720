// Landing page of email links (invites): one button that verifies the link server-side, or why it cannot.
import type { MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import type { action, loader } from './auth-confirm.server.ts';

export { sessionHeaders as headers } from '../../lib/headers.ts';
export { action, loader } from './auth-confirm.server.ts';

export const meta: MetaFunction = () => [{ title: 'Continue · Porchlight' }];


export default function AuthConfirm() {
  const data = useLoaderData<typeof loader>();
  const problem = useActionData<typeof action>() ?? ('code' in data ? data : null);
  const busy = useNavigation().state !== 'idle';
  return (
    <main className="login">
      <div className="card login-card">
        <h1>
          <span className="logo" aria-hidden="true">◉</span> Porchlight
        </h1>
        {problem ? (
          <>
            <p className="form-error" role="alert">
              {problem.message}
            </p>
            <p>
              <Link to="/login">Sign in</Link>
            </p>
          </>
        ) : 'link' in data ? (
          <Form method="post">
            <input type="hidden" name="token_hash" value={data.link.token_hash} />
            <input type="hidden" name="type" value={data.link.type} />
            <input type="hidden" name="next" value={data.link.next ?? ''} />
            <p>You were sent here by an email from Porchlight.</p>
            <button type="submit" className="primary" disabled={busy}>
              Continue
            </button>
          </Form>
        ) : null}
      </div>
    </main>
  );
}

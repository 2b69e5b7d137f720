// Landing page of email links (invites): verifies the link server-side and redirects; shows why when it cannot.
import type { MetaFunction } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';

export { loader } from '../lib/auth-confirm.server.ts';
export { sessionHeaders as headers } from '../lib/headers.ts';

export const meta: MetaFunction = () => [{ title: 'Confirm · Porchlight' }];

export default function AuthConfirm() {
  const data = useLoaderData<{ code: string; message: string }>();
  return (
    <main className="login">
      <div className="card login-card">
        <h1>
          <span className="logo" aria-hidden="true">◉</span> Porchlight
        </h1>
        <p className="form-error" role="alert">
          {data.message}
        </p>
        <p>
          <Link to="/login">Sign in</Link>
        </p>
      </div>
    </main>
  );
}

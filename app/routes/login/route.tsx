import type { HeadersFunction, MetaFunction } from '@remix-run/node';
import { Form, useActionData, useNavigation, useSearchParams } from '@remix-run/react';
import { sessionHeaders } from '../../lib/headers.ts';

export { action, loader } from './login.server.ts';

// A throttled sign-in (429) keeps its Retry-After on a document POST too.
export const headers: HeadersFunction = (args) => {
  const out = new Headers(sessionHeaders(args));
  const retryAfter = args.actionHeaders?.get('Retry-After');
  if (retryAfter) out.set('Retry-After', retryAfter);
  return out;
};

export const meta: MetaFunction = () => [{ title: 'Sign in · Porchlight' }];

type ActionData = { code: string; message: string; fieldErrors?: Record<string, string> } | undefined;

export default function Login() {
  const actionData = useActionData<ActionData>();
  const [params] = useSearchParams();
  const navigation = useNavigation();
  const busy = navigation.state !== 'idle';
  const errors = actionData?.fieldErrors ?? {};
  return (
    <main className="login">
      <Form method="post" className="card login-card" noValidate>
        <h1>
          <span className="logo" aria-hidden="true">◉</span> Porchlight
        </h1>
        <p className="muted">Sign in to answer your visitors.</p>
        <input type="hidden" name="redirectTo" value={params.get('redirectTo') ?? ''} />
        <label>
          Email
          <input name="email" type="email" autoComplete="email" required aria-invalid={!!errors.email} />
        </label>
        {errors.email ? <p className="field-error">{errors.email}</p> : null}
        <label>
          Password
          <input name="password" type="password" autoComplete="current-password" required aria-invalid={!!errors.password} />
        </label>
        {errors.password ? <p className="field-error">{errors.password}</p> : null}
        {actionData && !actionData.fieldErrors ? (
          <p className="form-error" role="alert">
            {actionData.message}
          </p>
        ) : null}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </Form>
    </main>
  );
}


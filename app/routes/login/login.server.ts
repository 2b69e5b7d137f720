import { type ActionFunctionArgs, json, type LoaderFunctionArgs, redirect } from '@remix-run/node';
import { getSessionUser } from '../../lib/auth.server.ts';
import { safeRedirect } from '../../lib/safe-redirect.ts';
import { beginSignIn, forgetSignIn } from '../../lib/sign-in-throttle.server.ts';
import { createSupabase } from '../../lib/supabase.server.ts';
import { fieldErrors, loginSchema, readForm } from '../../lib/validation.ts';

export async function loader({ request }: LoaderFunctionArgs) {
  const { user, headers } = await getSessionUser(request);
  if (user) {
    const to = new URL(request.url).searchParams.get('redirectTo');
    throw redirect(safeRedirect(to), { headers });
  }
  return json({}, { headers });
}

function minutes(seconds: number) {
  const m = Math.ceil(seconds / 60);
  return m === 1 ? '1 minute' : `${m} minutes`;
}

export async function action({ request, context }: ActionFunctionArgs) {
  const parsed = loginSchema.safeParse(await readForm(request));
  if (!parsed.success) {
    return json(
      { code: 'validation_failed', message: 'Check the highlighted fields.', fieldErrors: fieldErrors(parsed.error) },
      { status: 422 },
    );
  }
  // app/server.ts passes the client's address; without it (another server) all attempts share one bucket.
  const address = typeof context.clientAddress === 'string' ? context.clientAddress : 'unknown';
  let turn: Awaited<ReturnType<typeof beginSignIn>>;
  try {
    turn = await beginSignIn(parsed.data.email, address);
  } catch {
    return json({ code: 'auth_unavailable', message: 'Could not reach the sign-in service. Try again in a moment.' }, { status: 503 });
  }
  if (!turn.allowed) {
    return json(
      { code: 'too_many_attempts', message: `Too many failed sign-in attempts. Try again in ${minutes(turn.retryAfter)}.` },
      { status: 429, headers: { 'Retry-After': String(turn.retryAfter) } },
    );
  }
  const { supabase, headers } = createSupabase(request);
  const { error } = await supabase.auth.signInWithPassword({ email: parsed.data.email, password: parsed.data.password });
  if (error) {
    const invalid = error.status === 400 || error.code === 'invalid_credentials';
    // Only a wrong email or password counts against the limits.
    if (!invalid) await forgetSignIn(turn.attemptId).catch(() => {});
    return json(
      invalid
        ? { code: 'invalid_credentials', message: 'Wrong email or password.' }
        : { code: 'auth_unavailable', message: 'Could not reach the sign-in service. Try again in a moment.' },
      { status: invalid ? 400 : 503, headers },
    );
  }
  await forgetSignIn(turn.attemptId).catch(() => {});
  return redirect(safeRedirect(parsed.data.redirectTo), { headers });
}

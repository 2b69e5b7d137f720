import { type ActionFunctionArgs, json, type LoaderFunctionArgs, redirect } from '@remix-run/node';
import { getSessionUser } from './auth.server.ts';
import { safeRedirect } from './safe-redirect.ts';
import { createSupabase } from './supabase.server.ts';
import { fieldErrors, formObject, loginSchema } from './validation.ts';

export async function loader({ request }: LoaderFunctionArgs) {
  const { user, headers } = await getSessionUser(request);
  if (user) {
    const to = new URL(request.url).searchParams.get('redirectTo');
    throw redirect(safeRedirect(to), { headers });
  }
  return json({}, { headers });
}

export async function action({ request }: ActionFunctionArgs) {
  const parsed = loginSchema.safeParse(formObject(await request.formData()));
  if (!parsed.success) {
    return json(
      { code: 'validation_failed', message: 'Check the highlighted fields.', fieldErrors: fieldErrors(parsed.error) },
      { status: 422 },
    );
  }
  const { supabase, headers } = createSupabase(request);
  const { error } = await supabase.auth.signInWithPassword({ email: parsed.data.email, password: parsed.data.password });
  if (error) {
    const invalid = error.status === 400 || error.code === 'invalid_credentials';
    return json(
      invalid
        ? { code: 'invalid_credentials', message: 'Wrong email or password.' }
        : { code: 'auth_unavailable', message: 'Could not reach the sign-in service. Try again in a moment.' },
      { status: invalid ? 400 : 503, headers },
    );
  }
  return redirect(safeRedirect(parsed.data.redirectTo), { headers });
}

// /auth/confirm: where an email link lands. Verifies its token hash with Auth server-side (verifyOtp), which
// sets the session cookies, then sends the browser on to `next` (a local path only).
import { json, type LoaderFunctionArgs, redirect } from '@remix-run/node';
import { confirmLinkSchema } from './invitations.ts';
import { safeRedirect } from './safe-redirect.ts';
import { createSupabase } from './supabase.server.ts';

export async function loader({ request }: LoaderFunctionArgs) {
  const query = Object.fromEntries(new URL(request.url).searchParams);
  const parsed = confirmLinkSchema.safeParse(query);
  if (!parsed.success) {
    return json({ code: 'invalid_link', message: 'This link is incomplete or malformed. Open it again from the email.' }, { status: 400 });
  }
  const { supabase, headers } = createSupabase(request);
  const { error } = await supabase.auth.verifyOtp({ type: parsed.data.type, token_hash: parsed.data.token_hash });
  if (error) {
    if ((error.status ?? 0) >= 500 || !error.status) {
      return json({ code: 'auth_unavailable', message: 'The sign-in service cannot be reached right now. Reload to try again.' }, { status: 503, headers });
    }
    return json(
      { code: error.code ?? 'invalid_link', message: 'This link is invalid, already used or expired. Ask your admin to invite you again.' },
      { status: error.status === 403 ? 403 : 400, headers },
    );
  }
  return redirect(safeRedirect(parsed.data.next, '/invitations'), { headers });
}

// /auth/confirm: where an email link lands. The page only shows a button; pressing it verifies the link's token
// hash with Auth server-side (verifyOtp), which sets the session cookies, then goes on to `next` (a local path).
// Verifying on GET would let mail scanners that prefetch links use up the one-time token before the person clicks.
import { type ActionFunctionArgs, json, type LoaderFunctionArgs, redirect } from '@remix-run/node';
import { safeRedirect } from '../../lib/safe-redirect.ts';
import { createSupabase } from '../../lib/supabase.server.ts';
import { readForm } from '../../lib/validation.ts';
import { confirmLinkSchema } from '../../models/invitations.ts';

const MALFORMED = { code: 'invalid_link', message: 'This link is incomplete or malformed. Open it again from the email.' };

export async function loader({ request }: LoaderFunctionArgs) {
  const parsed = confirmLinkSchema.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!parsed.success) return json(MALFORMED, { status: 400 });
  return json({ link: parsed.data });
}

export async function action({ request }: ActionFunctionArgs) {
  const parsed = confirmLinkSchema.safeParse(await readForm(request));
  if (!parsed.success) return json(MALFORMED, { status: 400 });
  const { supabase, headers } = createSupabase(request);
  const { error } = await supabase.auth.verifyOtp({ type: parsed.data.type, token_hash: parsed.data.token_hash });
  if (error) {
    if (!error.status || error.status >= 500) {
      return json({ code: 'auth_unavailable', message: 'The sign-in service cannot be reached right now. Try again in a moment.' }, { status: 503, headers });
    }
    return json(
      { code: error.code ?? 'invalid_link', message: 'This link is invalid, already used or expired. Ask your admin to invite you again.' },
      { status: error.status === 403 ? 403 : 400, headers },
    );
  }
  return redirect(safeRedirect(parsed.data.next, '/invitations'), { headers });
}

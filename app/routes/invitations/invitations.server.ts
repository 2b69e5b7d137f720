// /invitations: a signed-in user sees the invitations addressed to their verified email and accepts one
// (someone who arrived through an invite link chooses their password in the same step).
import { type ActionFunctionArgs, json, type LoaderFunctionArgs, redirect } from '@remix-run/node';
import type { User } from '@supabase/supabase-js';
import { companyCookie, errorResponse, getSessionUser, loginRedirect } from '../../lib/auth.server.ts';
import { fieldErrors, readForm } from '../../lib/validation.ts';
import { acceptInvitation, myInvitations } from '../../models/invitations.server.ts';
import { acceptInvitationSchema } from '../../models/invitations.ts';

/** Invited through an email link and no password chosen yet (we mark the choice in user_metadata). */
function needsPassword(user: User): boolean {
  return Boolean(user.invited_at) && user.user_metadata?.password_set !== true;
}

async function signedIn(request: Request) {
  const session = await getSessionUser(request);
  if (!session.user) throw loginRedirect(request, session.headers);
  return session as typeof session & { user: User };
}

export async function loader({ request }: LoaderFunctionArgs) {
  const { supabase, headers, user } = await signedIn(request);
  const invitations = await myInvitations(supabase);
  return json({ email: user.email ?? '', needsPassword: needsPassword(user), invitations }, { headers });
}

const ACCEPT_ERRORS: Record<string, [number, string]> = {
  invitation_not_found: [404, 'This invitation does not exist or is not addressed to you.'],
  invitation_used: [409, 'This invitation was already used.'],
  invitation_expired: [410, 'This invitation has expired. Ask an admin to invite you again.'],
  invitation_link_required: [403, 'Open the invitation link from your email to accept it (or ask an admin to invite you again).'],
};

export async function action({ request }: ActionFunctionArgs) {
  const { supabase, headers, user } = await signedIn(request);
  const parsed = acceptInvitationSchema.safeParse(await readForm(request));
  if (!parsed.success) {
    return errorResponse(422, 'validation_failed', 'Check the highlighted fields.', headers, { fieldErrors: fieldErrors(parsed.error) });
  }
  const { invitationId, password } = parsed.data;
  if (needsPassword(user)) {
    if (!password) return errorResponse(422, 'validation_failed', 'Choose a password.', headers, { fieldErrors: { password: 'Choose a password.' } });
    const set = await supabase.auth.updateUser({ password, data: { password_set: true } });
    if (set.error) {
      const status = set.error.status && set.error.status < 500 ? 422 : 503;
      return errorResponse(status, set.error.code ?? 'password_refused', set.error.message, headers, { fieldErrors: { password: set.error.message } });
    }
  }
  const { companyId, error } = await acceptInvitation(supabase, invitationId);
  if (error) {
    const known = error.hint ? ACCEPT_ERRORS[error.hint] : undefined;
    if (known) return errorResponse(known[0], error.hint!, known[1], headers);
    return errorResponse(500, 'accept_failed', error.message, headers);
  }
  // Work in the company just joined.
  headers.append('Set-Cookie', await companyCookie.serialize(companyId));
  return redirect('/inbox', { headers });
}

// Team page (admins): members, invitations (an email link the invitee accepts), role changes and removals.
import { type ActionFunctionArgs, json, type LoaderFunctionArgs } from '@remix-run/node';
import type { PostgrestError } from '@supabase/supabase-js';
import { errorResponse, requireAdmin } from '../../lib/auth.server.ts';
import { createServiceRoleClient } from '../../lib/supabase.server.ts';
import { changeRoleSchema, fieldErrors, readForm, removeMemberSchema } from '../../lib/validation.ts';
import { createInvitation, deleteInvitation, listPendingInvitations, revokePendingInvitation } from '../../models/invitations.server.ts';
import { inviteMemberSchema, revokeInvitationSchema } from '../../models/invitations.ts';
import { changeMemberRole, listMembers, removeMember } from '../../models/members.server.ts';

export async function loader({ request, context }: LoaderFunctionArgs) {
  const ctx = await requireAdmin(request, context);
  const members = await listMembers(ctx.supabase, ctx.current.companyId);
  const invitations = await listPendingInvitations(ctx.supabase, ctx.current.companyId);
  return json({ members, invitations, me: ctx.user.id }, { headers: ctx.headers });
}

/** The database's refusals as the right 4xx: the last-admin trigger, RLS, or anything else (a 500). */
function writeError(error: PostgrestError, intent: string, headers: Headers) {
  if (error.hint === 'last_admin') {
    return errorResponse(422, 'last_admin', 'A company must keep at least one admin. Make someone else an admin first.', headers, {
      intent,
      fieldErrors: { role: 'A company must keep at least one admin.' },
    });
  }
  if (error.code === '42501') return errorResponse(403, 'forbidden', error.message, headers, { intent });
  return errorResponse(500, 'write_failed', error.message, headers, { intent });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const ctx = await requireAdmin(request, context);
  const form = await readForm(request);
  const invalid = (error: import('zod').ZodError) =>
    errorResponse(422, 'validation_failed', 'Check the highlighted fields.', ctx.headers, { intent: form.intent, fieldErrors: fieldErrors(error) });

  if (form.intent === 'invite') {
    const parsed = inviteMemberSchema.safeParse(form);
    if (!parsed.success) return invalid(parsed.error);
    const { email, displayName, role } = parsed.data;
    // The invitation is written as the admin, through RLS: only into their own company.
    const { id: invitationId, error } = await createInvitation(ctx.supabase, { company_id: ctx.current.companyId, email, role, display_name: displayName });
    if (error?.code === '23505') {
      return errorResponse(409, 'already_invited', `${email} already has a pending invitation.`, ctx.headers, {
        intent: 'invite',
        fieldErrors: { email: 'This address already has a pending invitation (revoke it to invite again).' },
      });
    }
    if (error) return writeError(error, 'invite', ctx.headers);
    // Auth mails the link (locally: the mail catcher). Sending invites is a service-role operation (server only).
    const next = new URL('/auth/confirm', request.url);
    next.searchParams.set('next', '/invitations');
    const sent = await createServiceRoleClient().auth.admin.inviteUserByEmail(email, { redirectTo: next.toString(), data: { display_name: displayName } });
    if (sent.error?.code === 'email_exists') {
      // They already have an account: no mail from Auth, they find the invitation at /invitations after signing in.
      return json(
        { ok: true, intent: 'invite', message: `${email} already has an account: the invitation waits for them after they sign in.` },
        { status: 201, headers: ctx.headers },
      );
    }
    if (sent.error) {
      await deleteInvitation(ctx.supabase, invitationId);
      if (sent.error.status === 429) {
        // Hosted Auth sends few emails an hour with its built-in mailer ([auth.rate_limit] email_sent).
        return errorResponse(429, 'email_rate_limited', 'Too many emails sent in the last hour. Try again later.', ctx.headers, {
          intent: 'invite',
          fieldErrors: { _form: 'Too many emails sent in the last hour. Try again later.' },
        });
      }
      return errorResponse(502, 'invite_failed', `Could not send the invitation: ${sent.error.message}`, ctx.headers, {
        intent: 'invite',
        fieldErrors: { _form: 'Could not send the invitation email. Try again.' },
      });
    }
    return json({ ok: true, intent: 'invite', message: `Invitation sent to ${email}.` }, { status: 201, headers: ctx.headers });
  }

  if (form.intent === 'revoke') {
    const parsed = revokeInvitationSchema.safeParse(form);
    if (!parsed.success) return invalid(parsed.error);
    const { count, error } = await revokePendingInvitation(ctx.supabase, ctx.current.companyId, parsed.data.invitationId);
    if (error) return writeError(error, 'revoke', ctx.headers);
    if (!count) return errorResponse(404, 'invitation_not_found', 'No such pending invitation.', ctx.headers, { intent: 'revoke' });
    return json({ ok: true, intent: 'revoke', message: 'Invitation revoked.' }, { headers: ctx.headers });
  }

  if (form.intent === 'role') {
    const parsed = changeRoleSchema.safeParse(form);
    if (!parsed.success) return invalid(parsed.error);
    if (parsed.data.userId === ctx.user.id && parsed.data.role !== 'admin') {
      return errorResponse(422, 'validation_failed', 'You cannot remove your own admin role.', ctx.headers, {
        intent: 'role',
        fieldErrors: { role: 'You cannot remove your own admin role.' },
      });
    }
    const { count, error } = await changeMemberRole(ctx.supabase, ctx.current.companyId, parsed.data.userId, parsed.data.role);
    if (error) return writeError(error, 'role', ctx.headers);
    if (!count) return errorResponse(404, 'member_not_found', 'No such member.', ctx.headers, { intent: 'role' });
    return json({ ok: true, intent: 'role', message: 'Role changed.' }, { headers: ctx.headers });
  }

  if (form.intent === 'remove') {
    const parsed = removeMemberSchema.safeParse(form);
    if (!parsed.success) return invalid(parsed.error);
    if (parsed.data.userId === ctx.user.id) {
      return errorResponse(422, 'validation_failed', 'You cannot remove yourself.', ctx.headers, {
        intent: 'remove',
        fieldErrors: { userId: 'You cannot remove yourself.' },
      });
    }
    const { count, error } = await removeMember(ctx.supabase, ctx.current.companyId, parsed.data.userId);
    if (error) return writeError(error, 'remove', ctx.headers);
    if (!count) return errorResponse(404, 'member_not_found', 'No such member.', ctx.headers, { intent: 'remove' });
    return json({ ok: true, intent: 'remove', message: 'Member removed.' }, { headers: ctx.headers });
  }

  return errorResponse(400, 'unknown_intent', 'Unknown action.', ctx.headers, { fieldErrors: { intent: 'Unknown action.' } });
}

import { type ActionFunctionArgs, json, type LoaderFunctionArgs } from '@remix-run/node';
import { errorResponse, requireAdmin } from './auth.server.ts';
import { listMembers } from './data.server.ts';
import { createServiceRoleClient } from './supabase.server.ts';
import { addMemberSchema, changeRoleSchema, fieldErrors, formObject, removeMemberSchema } from './validation.ts';

export async function teamLoader({ request }: LoaderFunctionArgs) {
  const ctx = await requireAdmin(request);
  const members = await listMembers(ctx.supabase, ctx.current.companyId);
  return json({ members, me: ctx.user.id }, { headers: ctx.headers });
}

export async function teamAction({ request }: ActionFunctionArgs) {
  const ctx = await requireAdmin(request);
  const form = formObject(await request.formData());
  const invalid = (error: import('zod').ZodError) =>
    errorResponse(422, 'validation_failed', 'Check the highlighted fields.', ctx.headers, { intent: form.intent, fieldErrors: fieldErrors(error) });

  if (form.intent === 'add') {
    const parsed = addMemberSchema.safeParse(form);
    if (!parsed.success) return invalid(parsed.error);
    // Creating a login is an auth admin operation: only the service role may do it (server-side).
    const admin = createServiceRoleClient();
    const created = await admin.auth.admin.createUser({
      email: parsed.data.email,
      password: parsed.data.password,
      email_confirm: true,
      user_metadata: { display_name: parsed.data.displayName },
    });
    if (created.error || !created.data.user) {
      const taken = created.error?.code === 'email_exists' || created.error?.status === 422;
      return errorResponse(taken ? 409 : 502, taken ? 'email_exists' : 'auth_failed', created.error?.message ?? 'Could not create the login.', ctx.headers, {
        intent: 'add',
        fieldErrors: taken ? { email: 'A user with this email already exists.' } : { _form: created.error?.message ?? 'Could not create the login.' },
      });
    }
    // The membership itself is written as the admin, through RLS.
    const { error } = await ctx.supabase.from('company_members').insert({
      company_id: ctx.current.companyId,
      user_id: created.data.user.id,
      role: parsed.data.role,
      display_name: parsed.data.displayName,
    });
    if (error) {
      await admin.auth.admin.deleteUser(created.data.user.id);
      return errorResponse(error.code === '42501' ? 403 : 500, error.code === '42501' ? 'forbidden' : 'membership_failed', error.message, ctx.headers, { intent: 'add' });
    }
    return json({ ok: true, intent: 'add', message: `${parsed.data.displayName} was added.` }, { status: 201, headers: ctx.headers });
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
    const { data, error } = await ctx.supabase
      .from('company_members')
      .update({ role: parsed.data.role })
      .eq('company_id', ctx.current.companyId)
      .eq('user_id', parsed.data.userId)
      .select('user_id');
    if (error) return errorResponse(error.code === '42501' ? 403 : 500, error.code === '42501' ? 'forbidden' : 'update_failed', error.message, ctx.headers);
    if (!data?.length) return errorResponse(404, 'member_not_found', 'No such member.', ctx.headers, { intent: 'role' });
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
    const { data, error } = await ctx.supabase
      .from('company_members')
      .delete()
      .eq('company_id', ctx.current.companyId)
      .eq('user_id', parsed.data.userId)
      .select('user_id');
    if (error) return errorResponse(error.code === '42501' ? 403 : 500, error.code === '42501' ? 'forbidden' : 'delete_failed', error.message, ctx.headers);
    if (!data?.length) return errorResponse(404, 'member_not_found', 'No such member.', ctx.headers, { intent: 'remove' });
    return json({ ok: true, intent: 'remove', message: 'Member removed.' }, { headers: ctx.headers });
  }

  return errorResponse(400, 'unknown_intent', 'Unknown action.', ctx.headers, { fieldErrors: { intent: 'Unknown action.' } });
}

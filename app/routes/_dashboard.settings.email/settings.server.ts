// Email settings (admins): minutes before an unseen reply is emailed and the Reply-To of the company's emails;
// written through the admins' update policy on companies (column grants: just these two).
import { type ActionFunctionArgs, json, type LoaderFunctionArgs } from '@remix-run/node';
import { errorResponse, requireAdmin } from '../../lib/auth.server.ts';
import { fieldErrors, readForm } from '../../lib/validation.ts';
import { emailSettingsSchema } from '../../models/email-settings.ts';

export async function loader({ request, context }: LoaderFunctionArgs) {
  const ctx = await requireAdmin(request, context);
  const { data, error } = await ctx.supabase.from('companies').select('follow_up_minutes, email_reply_to').eq('id', ctx.current.companyId).single();
  if (error) throw new Error(`email settings: ${error.message}`);
  return json({ values: { followUpMinutes: data.follow_up_minutes as number, replyTo: (data.email_reply_to as string | null) ?? '' } }, { headers: ctx.headers });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const ctx = await requireAdmin(request, context);
  const parsed = emailSettingsSchema.safeParse(await readForm(request));
  if (!parsed.success) {
    return errorResponse(422, 'validation_failed', 'Check the highlighted fields.', ctx.headers, { fieldErrors: fieldErrors(parsed.error) });
  }
  const { count, error } = await ctx.supabase
    .from('companies')
    .update({ follow_up_minutes: parsed.data.followUpMinutes, email_reply_to: parsed.data.replyTo || null }, { count: 'exact' })
    .eq('id', ctx.current.companyId);
  if (error) {
    if (error.code === '42501') return errorResponse(403, 'forbidden', 'Only an admin of this company can do this.', ctx.headers);
    if (error.code === '23514') return errorResponse(422, 'validation_failed', error.message, ctx.headers, { fieldErrors: { _form: error.message } });
    throw new Error(`save email settings: ${error.message}`);
  }
  if (!count) return errorResponse(403, 'forbidden', 'Only an admin of this company can do this.', ctx.headers);
  return json({ ok: true, message: 'Saved.' }, { headers: ctx.headers });
}

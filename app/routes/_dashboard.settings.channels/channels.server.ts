// Channel settings (admins): the company's Messenger/Instagram channels with their webhook URLs; connecting one, or
// replacing a connected one's token and secrets, goes through the meta-channels Edge Function (it tests the token
// and seals the secrets); disconnecting is a delete RLS allows admins only. Secrets never come back to the browser.
import { type ActionFunctionArgs, json, type LoaderFunctionArgs } from '@remix-run/node';
import { z } from 'zod';
import { channelFields } from '../../../functions/_shared/meta/connect-schema.ts';
import { errorResponse, requireAdmin } from '../../lib/auth.server.ts';
import { env } from '../../lib/env.server.ts';
import { fieldErrors, readForm } from '../../lib/validation.ts';

export async function loader({ request, context }: LoaderFunctionArgs) {
  const ctx = await requireAdmin(request, context);
  const { data, error } = await ctx.supabase
    .from('meta_channels')
    .select('id, platform, page_id, account_id, name, created_at')
    .eq('company_id', ctx.current.companyId)
    .order('created_at');
  if (error) throw new Error(`channels: ${error.message}`);
  const base = `${env().supabaseUrl}/functions/v1/meta-webhook?channel=`;
  return json({ channels: (data ?? []).map((c) => ({ ...c, webhookUrl: `${base}${c.id}` })) }, { headers: ctx.headers });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const ctx = await requireAdmin(request, context);
  const form = await readForm(request);
  if (form.intent === 'disconnect') {
    const id = z.string().uuid().safeParse(form.channelId);
    if (!id.success) return errorResponse(422, 'validation_failed', 'No such channel.', ctx.headers);
    const { error } = await ctx.supabase.from('meta_channels').delete().eq('id', id.data).eq('company_id', ctx.current.companyId);
    if (error) throw new Error(`disconnect: ${error.message}`);
    return json({ ok: true, message: 'Disconnected.' }, { headers: ctx.headers });
  }
  // Connecting, or replacing a connected channel's token and secrets (the same test against the Graph API).
  const replacing = form.intent === 'replace';
  const parsed = (replacing ? channelFields.extend({ channelId: z.string().uuid() }) : channelFields).safeParse(form);
  const channelId = replacing && typeof form.channelId === 'string' ? form.channelId : undefined;
  if (!parsed.success) return errorResponse(422, 'validation_failed', 'Check the highlighted fields.', ctx.headers, { channelId, fieldErrors: fieldErrors(parsed.error) });
  const { error } = await ctx.supabase.functions.invoke('meta-channels', { body: { ...parsed.data, companyId: ctx.current.companyId } });
  if (error) {
    const res = (error as { context?: Response }).context;
    const body = res ? ((await res.json().catch(() => null)) as { message?: string } | null) : null;
    const message = body?.message ?? (replacing ? 'The new token and secrets could not be saved.' : 'The channel could not be connected.');
    return errorResponse(res?.status && res.status < 500 ? res.status : 502, 'connection_failed', message, ctx.headers, { channelId, fieldErrors: { _form: message } });
  }
  const message = replacing ? 'Saved: the Graph API accepted the new token; the new secrets apply from now on.' : 'Connected: the Graph API accepted the page and token.';
  return json({ ok: true, message, channelId }, { headers: ctx.headers });
}

// POST meta-channels {companyId, platform, pageId, pageToken, appSecret, verifyToken, channelId?} — an admin
// connects (or updates) a Facebook Page or Instagram account. The token is tested against the Graph API first
// (GET the page); the secrets are sealed with AES-GCM here and only ciphertext reaches the database.
import { HttpError, json, readJson } from '../_shared/http.ts';
import { agentEndpoint, requireAgentCaller } from '../_shared/meta/agent.ts';
import { connectRequest } from '../_shared/meta/connect-schema.ts';
import { sealSecret } from '../_shared/meta/crypto.ts';
import { getPage } from '../_shared/meta/graph.ts';
import { invalidInput } from '../_shared/schemas.ts';
import { adminClient } from '../_shared/supabase.ts';

export const handler = agentEndpoint(async (req) => {
  const agent = requireAgentCaller(req);
  const parsed = connectRequest.safeParse(await readJson(req));
  if (!parsed.success) throw invalidInput(parsed.error);
  const input = parsed.data;
  const { data: member, error: roleError } = await adminClient()
    .from('company_members')
    .select('role')
    .eq('company_id', input.companyId)
    .eq('user_id', agent.id)
    .maybeSingle();
  if (roleError) throw new Error(`role lookup: ${roleError.message}`);
  if (member?.role !== 'admin') throw new HttpError(403, 'forbidden', 'Only an admin of this company can connect channels.');

  const page = await getPage(input.pageId, input.pageToken);
  if (!page.ok || page.data?.id !== input.pageId) {
    throw new HttpError(422, 'connection_failed', `The Graph API refused this page and token: ${page.error ?? 'wrong page'}`);
  }
  const accountId = input.platform === 'instagram' ? page.data.instagram_business_account?.id : input.pageId;
  if (!accountId) throw new HttpError(422, 'no_instagram_account', 'This page has no Instagram professional account linked.');

  const id = input.channelId ?? crypto.randomUUID();
  const row = {
    id,
    company_id: input.companyId,
    platform: input.platform,
    page_id: input.pageId,
    account_id: accountId,
    name: (page.data.name ?? '').slice(0, 200),
    page_token_cipher: await sealSecret(input.pageToken, id, 'page_token'),
    app_secret_cipher: await sealSecret(input.appSecret, id, 'app_secret'),
    verify_token_cipher: await sealSecret(input.verifyToken, id, 'verify_token'),
    updated_at: new Date().toISOString(),
  };
  const db = adminClient().from('meta_channels');
  const { data, error } = input.channelId
    ? await db.update(row).eq('id', id).eq('company_id', input.companyId).select('id, company_id, platform, page_id, account_id, name').maybeSingle()
    : await db.insert(row).select('id, company_id, platform, page_id, account_id, name').single();
  if (error?.code === '23505') throw new HttpError(409, 'channel_exists', 'This account is already connected.');
  if (error) throw new Error(`save channel: ${error.message}`);
  if (!data) throw new HttpError(404, 'channel_not_found', 'No such channel in this company.');
  return json({ channel: data }, input.channelId ? 200 : 201);
});

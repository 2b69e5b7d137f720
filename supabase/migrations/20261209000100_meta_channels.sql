-- Meta channels (docs/decisions/0019-meta-channels.md): a company's Facebook Page or Instagram professional
-- account. Its secrets are AES-GCM ciphertext written by the meta-channels Edge Function (the key is a function
-- secret, never in the database); no client role can read those columns, and only the service role writes rows.

create table public.meta_channels (
  id uuid primary key default gen_random_uuid(),
  company_id uuid not null references public.companies(id) on delete cascade,
  platform public.conversation_platform not null check (platform in ('facebook', 'instagram')),
  page_id text not null check (page_id ~ '^[0-9]{1,32}$'),
  account_id text not null check (account_id ~ '^[0-9]{1,32}$'),
  name text not null default '' check (char_length(name) <= 200),
  page_token_cipher text not null,
  app_secret_cipher text not null,
  verify_token_cipher text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (company_id, platform, account_id)
);
create index meta_channels_company_id_idx on public.meta_channels (company_id);
comment on table public.meta_channels is 'A Facebook Page or Instagram account connected to a company; its webhook is meta-webhook?channel=<id>.';
comment on column public.meta_channels.id is 'Channel id (in the webhook URL: it picks the app secret the signature is checked with).';
comment on column public.meta_channels.company_id is 'The company whose inbox receives this channel.';
comment on column public.meta_channels.platform is 'facebook (Messenger) or instagram.';
comment on column public.meta_channels.page_id is 'The Facebook Page id (the Send API posts as this page).';
comment on column public.meta_channels.account_id is 'The id webhook entries carry: the page id, or the Instagram professional account id.';
comment on column public.meta_channels.name is 'Page or account name, as the Graph API returned it when the channel was tested.';
comment on column public.meta_channels.page_token_cipher is 'Page access token, AES-GCM ciphertext (base64 iv||ciphertext); never readable by clients.';
comment on column public.meta_channels.app_secret_cipher is 'App secret (webhook signatures), AES-GCM ciphertext; never readable by clients.';
comment on column public.meta_channels.verify_token_cipher is 'Webhook verify token, AES-GCM ciphertext; never readable by clients.';
comment on column public.meta_channels.created_at is 'When the channel was connected.';
comment on column public.meta_channels.updated_at is 'When its settings last changed.';

alter table public.meta_channels enable row level security;
revoke all on public.meta_channels from anon, authenticated;
-- Column grants: the ciphertexts stay out of every client's reach, even the company's admins'.
grant select (id, company_id, platform, page_id, account_id, name, created_at, updated_at) on public.meta_channels to authenticated;
grant delete on public.meta_channels to authenticated;
grant all on public.meta_channels to service_role;

create policy "members see their company's channels" on public.meta_channels
  for select to authenticated using (company_id in (select private.my_company_ids()));
create policy "admins disconnect their company's channels" on public.meta_channels
  for delete to authenticated using (company_id in (select private.my_admin_company_ids()));

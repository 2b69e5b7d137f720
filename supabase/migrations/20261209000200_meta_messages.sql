-- Meta messages: who a sender is (one visitor per channel and sender id), which platform message ids were stored
-- (a replayed webhook stores once), and the Send API delivery of each agent reply. Written by the service role only.

create table public.meta_senders (
  channel_id uuid not null references public.meta_channels(id) on delete cascade,
  sender_id text not null check (sender_id ~ '^[0-9]{1,32}$'),
  company_id uuid not null references public.companies(id) on delete cascade,
  visitor_id uuid not null unique references public.visitors(id) on delete cascade,
  profile_pic_url text check (char_length(profile_pic_url) <= 2048),
  created_at timestamptz not null default now(),
  primary key (channel_id, sender_id)
);
create index meta_senders_company_id_idx on public.meta_senders (company_id);
comment on table public.meta_senders is 'A Messenger/Instagram user (page-scoped id) as a visitor of the channel''s company.';
comment on column public.meta_senders.channel_id is 'The channel they wrote to.';
comment on column public.meta_senders.sender_id is 'Page-scoped (PSID) or Instagram-scoped user id.';
comment on column public.meta_senders.company_id is 'The channel''s company (for RLS).';
comment on column public.meta_senders.visitor_id is 'The visitor row standing for them.';
comment on column public.meta_senders.profile_pic_url is 'Profile picture URL from the Graph API.';
comment on column public.meta_senders.created_at is 'First message.';

create table public.meta_inbound (
  platform_message_id text primary key check (char_length(platform_message_id) between 1 and 200),
  channel_id uuid not null references public.meta_channels(id) on delete cascade,
  company_id uuid not null references public.companies(id) on delete cascade,
  message_id uuid not null unique references public.messages(id) on delete cascade,
  received_at timestamptz not null default now()
);
create index meta_inbound_channel_id_idx on public.meta_inbound (channel_id);
create index meta_inbound_company_id_idx on public.meta_inbound (company_id);
comment on table public.meta_inbound is 'Each incoming platform message stored once: the platform id (mid) is the key.';
comment on column public.meta_inbound.platform_message_id is 'The platform''s message id (mid).';
comment on column public.meta_inbound.channel_id is 'Channel it came through.';
comment on column public.meta_inbound.company_id is 'The channel''s company (for RLS).';
comment on column public.meta_inbound.message_id is 'The stored message.';
comment on column public.meta_inbound.received_at is 'When the webhook delivered it.';

create type public.meta_delivery_status as enum ('pending', 'sent', 'delivered', 'read', 'failed');
comment on type public.meta_delivery_status is 'Where an agent reply is on its way to Messenger/Instagram.';

create table public.meta_deliveries (
  message_id uuid primary key references public.messages(id) on delete cascade,
  channel_id uuid not null references public.meta_channels(id) on delete cascade,
  company_id uuid not null references public.companies(id) on delete cascade,
  status public.meta_delivery_status not null default 'pending',
  attempts int not null default 0 check (attempts >= 0),
  error text check (char_length(error) <= 500),
  platform_message_id text unique check (char_length(platform_message_id) <= 200),
  updated_at timestamptz not null default now()
);
create index meta_deliveries_channel_id_idx on public.meta_deliveries (channel_id);
create index meta_deliveries_company_id_idx on public.meta_deliveries (company_id);
comment on table public.meta_deliveries is 'Send API delivery of an agent reply in a facebook/instagram conversation.';
comment on column public.meta_deliveries.message_id is 'The agent''s message.';
comment on column public.meta_deliveries.channel_id is 'Channel it is sent through.';
comment on column public.meta_deliveries.company_id is 'The channel''s company (for RLS).';
comment on column public.meta_deliveries.status is 'pending, sent (accepted by the Send API), delivered, read or failed.';
comment on column public.meta_deliveries.attempts is 'Send API calls made so far.';
comment on column public.meta_deliveries.error is 'The platform''s reason for the last failure.';
comment on column public.meta_deliveries.platform_message_id is 'The mid the Send API returned.';
comment on column public.meta_deliveries.updated_at is 'Last change.';

alter table public.meta_senders enable row level security;
alter table public.meta_inbound enable row level security;
alter table public.meta_deliveries enable row level security;
revoke all on public.meta_senders, public.meta_inbound, public.meta_deliveries from anon, authenticated;
grant select on public.meta_senders, public.meta_inbound, public.meta_deliveries to authenticated;
grant all on public.meta_senders, public.meta_inbound, public.meta_deliveries to service_role;

create policy "members read their company's senders" on public.meta_senders
  for select to authenticated using (company_id in (select private.my_company_ids()));
create policy "members read their company's inbound ids" on public.meta_inbound
  for select to authenticated using (company_id in (select private.my_company_ids()));
create policy "members read their company's deliveries" on public.meta_deliveries
  for select to authenticated using (company_id in (select private.my_company_ids()));

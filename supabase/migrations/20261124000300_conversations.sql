-- Visitors, conversations and messages. Visitors are anonymous auth users; they read their own rows and write
-- nothing directly (their writes go through Edge Functions with the service role). Agents read and write
-- within their companies.

create type public.conversation_platform as enum ('widget', 'facebook', 'instagram');
comment on type public.conversation_platform is 'Where a conversation happens.';
create type public.conversation_status as enum ('open', 'pending', 'resolved');
comment on type public.conversation_status is 'Workflow state of a conversation.';
create type public.message_sender_kind as enum ('visitor', 'agent', 'bot', 'system');
comment on type public.message_sender_kind is 'Who wrote a message.';

create table public.visitors (
  id uuid primary key default gen_random_uuid(),
  company_id uuid not null references public.companies(id) on delete cascade,
  user_id uuid not null references auth.users(id) on delete cascade,
  name text check (char_length(name) <= 120),
  email text check (char_length(email) <= 254),
  phone text check (char_length(phone) <= 40),
  first_seen_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  last_page_url text check (char_length(last_page_url) <= 2048),
  last_page_title text check (char_length(last_page_title) <= 300),
  user_agent text check (char_length(user_agent) <= 512),
  locale text check (char_length(locale) <= 35),
  unique (company_id, user_id)
);
create index visitors_user_id_idx on public.visitors (user_id);
comment on table public.visitors is 'A person chatting through a company''s widget (an anonymous auth user), as that company knows them.';
comment on column public.visitors.id is 'Visitor id.';
comment on column public.visitors.company_id is 'The company whose widget they used.';
comment on column public.visitors.user_id is 'The anonymous auth user behind the visitor.';
comment on column public.visitors.name is 'Name from the pre-chat form or identify().';
comment on column public.visitors.email is 'Email from the pre-chat form or identify().';
comment on column public.visitors.phone is 'Phone from the pre-chat form.';
comment on column public.visitors.first_seen_at is 'First session.';
comment on column public.visitors.last_seen_at is 'Most recent session or message.';
comment on column public.visitors.last_page_url is 'Page the visitor was on at their last session or message.';
comment on column public.visitors.last_page_title is 'Title of that page.';
comment on column public.visitors.user_agent is 'Browser user agent string.';
comment on column public.visitors.locale is 'Browser or widget language.';

create table public.conversations (
  id uuid primary key default gen_random_uuid(),
  company_id uuid not null references public.companies(id) on delete cascade,
  visitor_id uuid not null references public.visitors(id) on delete cascade,
  platform public.conversation_platform not null default 'widget',
  status public.conversation_status not null default 'open',
  assignee_id uuid references auth.users(id) on delete set null,
  auto_bot boolean not null default false,
  last_message_at timestamptz not null default now(),
  last_message_preview text not null default '',
  unread_count int not null default 0 check (unread_count >= 0),
  visitor_last_read_message_id uuid,
  agent_last_read_message_id uuid,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
-- The inbox: a company's conversations by status, newest activity first, keyset-paged on (last_message_at, id).
create index conversations_inbox_idx on public.conversations (company_id, status, last_message_at desc, id desc);
create index conversations_company_activity_idx on public.conversations (company_id, last_message_at desc, id desc);
create index conversations_visitor_id_idx on public.conversations (visitor_id);
create index conversations_assignee_id_idx on public.conversations (assignee_id) where assignee_id is not null;
comment on table public.conversations is 'A chat thread between one visitor and a company''s agents.';
comment on column public.conversations.id is 'Conversation id.';
comment on column public.conversations.company_id is 'The company.';
comment on column public.conversations.visitor_id is 'The visitor.';
comment on column public.conversations.platform is 'widget, facebook or instagram.';
comment on column public.conversations.status is 'open, pending or resolved.';
comment on column public.conversations.assignee_id is 'Agent (auth user) handling it; null = unassigned.';
comment on column public.conversations.auto_bot is 'Whether the auto-reply bot answers in this conversation.';
comment on column public.conversations.last_message_at is 'Time of the newest message (inbox order).';
comment on column public.conversations.last_message_preview is 'First 140 characters of the newest message.';
comment on column public.conversations.unread_count is 'Visitor messages the agents have not read yet.';
comment on column public.conversations.visitor_last_read_message_id is 'Newest message the visitor has seen.';
comment on column public.conversations.agent_last_read_message_id is 'Newest message an agent has seen.';
comment on column public.conversations.created_at is 'When the conversation started.';
comment on column public.conversations.updated_at is 'Last change of any field.';

create table public.messages (
  id uuid primary key default gen_random_uuid(),
  conversation_id uuid not null references public.conversations(id) on delete cascade,
  company_id uuid not null references public.companies(id) on delete cascade,
  sender_kind public.message_sender_kind not null,
  author_id uuid references auth.users(id) on delete set null,
  author_name text check (char_length(author_name) <= 120),
  body text not null check (char_length(body) between 1 and 4000),
  created_at timestamptz not null default clock_timestamp()
);
-- A conversation's messages, newest first (latest page and catch-up after a cursor).
create index messages_conversation_created_idx on public.messages (conversation_id, created_at desc, id desc);
create index messages_company_id_idx on public.messages (company_id);
comment on table public.messages is 'One message in a conversation. The id is generated by the sender, so a retried send never stores twice.';
comment on column public.messages.id is 'Client-generated uuid (idempotency key).';
comment on column public.messages.conversation_id is 'The conversation.';
comment on column public.messages.company_id is 'Copied from the conversation on insert (for RLS and indexes).';
comment on column public.messages.sender_kind is 'visitor, agent, bot or system.';
comment on column public.messages.author_id is 'Auth user who wrote it (visitor or agent); null for bot/system.';
comment on column public.messages.author_name is 'Name shown with the message.';
comment on column public.messages.body is 'Plain text, 1 to 4000 characters; always rendered as text, never HTML.';
comment on column public.messages.created_at is 'When it was stored (clock time, so messages of one transaction keep their order).';

create function private.my_visitor_ids() returns setof uuid
language sql stable security definer set search_path = '' as $$
  select v.id from public.visitors v where v.user_id = (select auth.uid())
$$;
comment on function private.my_visitor_ids() is 'Visitor rows of the current (anonymous) user.';

create function private.my_conversation_ids() returns setof uuid
language sql stable security definer set search_path = '' as $$
  select c.id from public.conversations c join public.visitors v on v.id = c.visitor_id where v.user_id = (select auth.uid())
$$;
comment on function private.my_conversation_ids() is 'Conversations of the current user as a visitor.';

create function private.is_conversation_visitor(p_conversation_id uuid) returns boolean
language sql stable security definer set search_path = '' as $$
  select exists (
    select 1 from public.conversations c join public.visitors v on v.id = c.visitor_id
    where c.id = p_conversation_id and v.user_id = (select auth.uid()))
$$;
comment on function private.is_conversation_visitor(uuid) is 'Whether the current user is the visitor of the conversation.';

create function private.can_access_conversation(p_conversation_id uuid) returns boolean
language sql stable security definer set search_path = '' as $$
  select exists (
    select 1 from public.conversations c
    where c.id = p_conversation_id
      and (c.company_id in (select private.my_company_ids()) or c.visitor_id in (select private.my_visitor_ids())))
$$;
comment on function private.can_access_conversation(uuid) is 'Whether the current user is the conversation''s visitor or a member of its company.';

revoke all on function private.my_visitor_ids(), private.my_conversation_ids(), private.is_conversation_visitor(uuid), private.can_access_conversation(uuid) from public, anon;
grant execute on function private.my_visitor_ids(), private.my_conversation_ids(), private.is_conversation_visitor(uuid), private.can_access_conversation(uuid) to authenticated, service_role;

alter table public.visitors enable row level security;
alter table public.conversations enable row level security;
alter table public.messages enable row level security;

create policy "members read their company's visitors; visitors read themselves" on public.visitors
  for select to authenticated using (company_id in (select private.my_company_ids()) or user_id = (select auth.uid()));

create policy "members read their company's conversations; visitors read their own" on public.conversations
  for select to authenticated using (company_id in (select private.my_company_ids()) or visitor_id in (select private.my_visitor_ids()));
create policy "members update their company's conversations" on public.conversations
  for update to authenticated using (company_id in (select private.my_company_ids())) with check (company_id in (select private.my_company_ids()));

create policy "members read their company's messages; visitors read their own" on public.messages
  for select to authenticated using (company_id in (select private.my_company_ids()) or conversation_id in (select private.my_conversation_ids()));
create policy "members reply as themselves" on public.messages
  for insert to authenticated with check (
    company_id in (select private.my_company_ids()) and sender_kind = 'agent' and author_id = (select auth.uid()));

grant select on public.visitors, public.conversations, public.messages to authenticated;
grant update (status, assignee_id, auto_bot, unread_count, agent_last_read_message_id) on public.conversations to authenticated;
grant insert (id, conversation_id, sender_kind, author_id, author_name, body) on public.messages to authenticated;
grant all on public.visitors, public.conversations, public.messages to service_role;

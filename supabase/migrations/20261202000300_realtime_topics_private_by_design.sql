-- Realtime that leaks nothing: who may read, write and stay on which topic (issue 14, findings 3, 9 and 12).
--
-- Hosted Realtime checks a private channel's policies when it is joined and when its access token is refreshed,
-- never in between (realtime_channel.ex: confirm_token only checks the JWT's expiry). So a member removed from a
-- company kept receiving `company:<id>` broadcasts for up to an hour, and those carried whole message rows.
-- Database-first answer, independent of what any client does:
--   1. The company topic has a key: `company:<id>:<realtime_key>` (companies.realtime_topic). Removing a member
--      rotates the key, so every broadcast after the removal goes to a topic the removed member never joined; the
--      old topic gets one `company.topic_changed` (no content), and the remaining agents re-read the topic through
--      REST (RLS: members only) and join the new one. Joining needs membership and the current key.
--   2. The removed member is signed out server-side: their auth sessions are deleted (refresh tokens cascade), so
--      Auth refuses their token (session_not_found) and nothing refreshes.
--   3. Company broadcasts carry signals, not content: ids, kinds, status, times. No body, name or preview; the
--      dashboard reads those through REST, where RLS applies at the moment of reading.
--   4. `conversation:<id>` broadcasts (the widget's live replies) are readable by the conversation's visitor only.
--      Agents may still join it for presence (is the visitor's page open?).
--   5. No client may send a broadcast on these topics: server events come only from the database (realtime.send
--      in triggers), so a forged `message.created` cannot exist. Realtime's write check sees only the topic and
--      the extension, never the event, so it is all or nothing per topic; the typing and seen signals of later
--      features get topics of their own.
--   6. Presence on `conversation:<id>` is written by its visitor only, on `company:<id>:<key>` by members only: a
--      visitor cannot appear as an agent, an agent cannot make a visitor look online.

alter table public.companies add column realtime_key uuid not null default gen_random_uuid();
alter table public.companies add column realtime_topic text
  generated always as ('company:' || id::text || ':' || realtime_key::text) stored;
comment on column public.companies.realtime_key is 'Changes whenever a member is removed, which moves the company''s Realtime topic away from them.';
comment on column public.companies.realtime_topic is 'The private Realtime topic of the company''s live events (members only): company:<id>:<realtime_key>.';

create function private.company_topic(p_company_id uuid) returns text
language sql stable security definer set search_path = '' as $$
  select c.realtime_topic from public.companies c where c.id = p_company_id
$$;
comment on function private.company_topic(uuid) is 'The current Realtime topic of a company (for the broadcast triggers).';

-- Signals for the company topic: what changed, never what was said.
create function private.message_signal(m public.messages) returns jsonb
language sql stable set search_path = '' as $$
  select jsonb_build_object('id', m.id, 'conversation_id', m.conversation_id, 'sender_kind', m.sender_kind, 'created_at', m.created_at)
$$;
comment on function private.message_signal(public.messages) is 'A message.created payload for agents: ids, kind and time; the text is read through REST.';

create function private.conversation_signal(c public.conversations) returns jsonb
language sql stable set search_path = '' as $$
  select jsonb_build_object('id', c.id, 'visitor_id', c.visitor_id, 'platform', c.platform, 'status', c.status,
    'assignee_id', c.assignee_id, 'auto_bot', c.auto_bot, 'unread_count', c.unread_count,
    'last_message_at', c.last_message_at, 'created_at', c.created_at, 'updated_at', c.updated_at)
$$;
comment on function private.conversation_signal(public.conversations) is 'A conversation.* payload for agents: workflow fields only, no message text.';

-- What the visitor's widget needs, as the widget API shapes it: no author ids, no company, no agent bookkeeping.
create function private.visitor_message(m public.messages) returns jsonb
language sql stable set search_path = '' as $$
  select jsonb_build_object('id', m.id, 'conversation_id', m.conversation_id, 'sender_kind', m.sender_kind,
    'author_name', m.author_name, 'body', m.body, 'created_at', m.created_at)
$$;
comment on function private.visitor_message(public.messages) is 'A message.created payload for the conversation''s visitor.';

create function private.visitor_conversation(c public.conversations) returns jsonb
language sql stable set search_path = '' as $$
  select jsonb_build_object('id', c.id, 'status', c.status, 'agent_last_read_message_id', c.agent_last_read_message_id, 'updated_at', c.updated_at)
$$;
comment on function private.visitor_conversation(public.conversations) is 'A conversation.updated payload for the conversation''s visitor.';

revoke all on function private.company_topic(uuid), private.message_signal(public.messages), private.conversation_signal(public.conversations),
  private.visitor_message(public.messages), private.visitor_conversation(public.conversations) from public, anon, authenticated;

create or replace function private.message_after_insert() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  update public.conversations c set
    last_message_at = greatest(c.last_message_at, new.created_at),
    last_message_preview = left(btrim(regexp_replace(new.body, '\s+', ' ', 'g')), 140),
    unread_count = case
      when new.sender_kind = 'visitor' then c.unread_count + 1
      when new.sender_kind = 'agent' then 0
      else c.unread_count end,
    agent_last_read_message_id = case when new.sender_kind = 'agent' then new.id else c.agent_last_read_message_id end,
    visitor_last_read_message_id = case when new.sender_kind = 'visitor' then new.id else c.visitor_last_read_message_id end,
    status = case when new.sender_kind = 'visitor' and c.status = 'resolved' then 'open'::public.conversation_status else c.status end
  where c.id = new.conversation_id;
  perform realtime.send(private.visitor_message(new), 'message.created', 'conversation:' || new.conversation_id, true);
  perform realtime.send(private.message_signal(new), 'message.created', private.company_topic(new.company_id), true);
  return null;
end;
$$;

create or replace function private.conversation_after_change() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  if tg_op = 'INSERT' then
    perform realtime.send(private.conversation_signal(new), 'conversation.created', private.company_topic(new.company_id), true);
  elsif pg_trigger_depth() = 1 then
    -- Depth 1: a statement updated the conversation. Deeper: the messages trigger did, and its message.created
    -- already tells every subscriber.
    perform realtime.send(private.visitor_conversation(new), 'conversation.updated', 'conversation:' || new.id, true);
    perform realtime.send(private.conversation_signal(new), 'conversation.updated', private.company_topic(new.company_id), true);
  end if;
  return null;
end;
$$;
revoke all on function private.message_after_insert(), private.conversation_after_change() from public, anon, authenticated;

-- Removing a member ends their access at once: new topic for the others, no session for them.
create function private.member_after_delete() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  old_topic text;
begin
  select c.realtime_topic into old_topic from public.companies c where c.id = old.company_id;
  if old_topic is null then
    return null; -- the company itself is being deleted
  end if;
  update public.companies set realtime_key = gen_random_uuid() where id = old.company_id;
  perform realtime.send('{}'::jsonb, 'company.topic_changed', old_topic, true);
  delete from auth.sessions s where s.user_id = old.user_id;
  return null;
end;
$$;
comment on function private.member_after_delete() is
  'After a member is removed: rotates the company''s Realtime topic (announcing it on the old one, without content) and deletes the removed user''s auth sessions.';
revoke all on function private.member_after_delete() from public, anon, authenticated;
create trigger company_members_after_delete after delete on public.company_members
  for each row execute function private.member_after_delete();

-- Topic access by extension and direction.
create function private.topic_access(p_topic text, p_extension text, p_direction text) returns boolean
language plpgsql stable security definer set search_path = '' as $$
declare
  uuid_re constant text := '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
  parts text[];
begin
  if p_direction = 'write' and p_extension = 'broadcast' then
    return false; -- server events come from the database only
  end if;
  parts := regexp_match(p_topic, '^conversation:(' || uuid_re || ')$');
  if parts is not null then
    if p_extension = 'presence' and p_direction = 'read' then
      return private.can_access_conversation(parts[1]::uuid);
    end if;
    return private.is_conversation_visitor(parts[1]::uuid); -- broadcast read, presence write
  end if;
  parts := regexp_match(p_topic, '^company:(' || uuid_re || '):(' || uuid_re || ')$');
  if parts is not null then
    return private.is_company_member(parts[1]::uuid)
      and exists (select 1 from public.companies c where c.id = parts[1]::uuid and c.realtime_key = parts[2]::uuid);
  end if;
  return false;
end;
$$;
comment on function private.topic_access(text, text, text) is
  'Whether the current user may read or write (direction) broadcast or presence (extension) on a Porchlight Realtime topic: '
  'conversation:<id> (broadcast read and presence write: its visitor; presence read: its visitor and company members) or '
  'company:<id>:<key> (members, current key only). Broadcast writes: nobody.';
revoke all on function private.topic_access(text, text, text) from public, anon;
grant execute on function private.topic_access(text, text, text) to authenticated, service_role;

-- Kept for callers of the old helper: may the user join (read anything on) the topic at all.
create or replace function private.can_access_topic(p_topic text) returns boolean
language sql stable security definer set search_path = '' as $$
  select private.topic_access(p_topic, 'presence', 'read') or private.topic_access(p_topic, 'broadcast', 'read')
$$;

drop policy "porchlight topics: read" on realtime.messages;
drop policy "porchlight topics: write" on realtime.messages;

create policy "porchlight topics: read" on realtime.messages
  for select to authenticated
  using (realtime.messages.extension in ('broadcast', 'presence')
    and private.topic_access((select realtime.topic()), realtime.messages.extension, 'read'));

create policy "porchlight topics: write" on realtime.messages
  for insert to authenticated
  with check (realtime.messages.extension in ('broadcast', 'presence')
    and private.topic_access((select realtime.topic()), realtime.messages.extension, 'write'));

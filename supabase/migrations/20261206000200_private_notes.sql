-- Private notes (issue 21, ADR 0015): an agent's note in a conversation's thread, for the company's agents only.
--
-- A note is a row of public.messages with is_private = true (an agent's, or a system note of the service role),
-- so it sits in the thread in order with the replies. It must never reach the visitor, by any path; each path is
-- closed here, in the database, and walked by tests/db/private-notes-never-reach-the-visitor.test.ts:
--   * REST: a restrictive policy hides private rows from everyone but the company's members (a visitor's token
--     reads their conversation's messages through the permissive policy; this one takes the notes out).
--   * Realtime: messages_after_insert (the bookkeeping and the visitor's conversation:<id> broadcast) now fires
--     only for messages that are not private; a note fires messages_after_insert_note instead, which sends
--     note.created to the company's keyed topic (members only) and nothing else.
--   * The conversation row (readable by its visitor, and returned whole by widget_start_session): a note changes
--     none of it: no preview, last message time, unread count, read mark or status.
--   * Catch-up: widget_start_session's latest 100 and widget_history leave notes out, and a note's id is no
--     cursor; widget_mark_seen does not accept a note's id as the visitor's read mark; the agents' read mark
--     (mark_conversation_read, shown to the visitor as "Seen") never points at a note.
--   * Files: a note carries none (a trigger refuses linking an attachment to a private message), so the visitor's
--     attachment and Storage policies cannot reach one.
--   * Figures the widget shows: the typical reply time counts replies only, not notes.
--   * Emails and transcripts (built elsewhere) filter on messages.is_private.
--   * Typing: the dashboard sends no typing signal while its composer is in note mode (a client broadcast, ADR 0011;
--     checked in the e2e test and the leak test's typing walk).
-- Shared functions replaced here (newest definitions copied, the is_private filter added, nothing else):
-- widget_start_session, widget_history, mark_conversation_read, widget_mark_seen, reply_time_of (logged in
-- /work/notes/main-status.md). The messages_after_insert trigger is re-created with a WHEN; its function is unchanged.

alter table public.messages add column is_private boolean not null default false;
comment on column public.messages.is_private is
  'A private note: shown to the company''s agents only, never to the visitor (not by REST, Realtime, catch-up, email or transcript).';
alter table public.messages add constraint messages_private_by_the_team check (not is_private or sender_kind in ('agent', 'system'));
comment on constraint messages_private_by_the_team on public.messages is 'Notes are written by agents (or the system), never by a visitor or the bot.';

-- REST ----------------------------------------------------------------------------------------------------------
create policy "private notes are for the company's members only" on public.messages
  as restrictive for select to authenticated
  using (not is_private or company_id in (select private.my_company_ids()));
-- Agents write notes through the same insert policy as replies (author = caller, member, sender_kind agent).
grant insert (is_private) on public.messages to authenticated;

-- Realtime ------------------------------------------------------------------------------------------------------
drop trigger messages_after_insert on public.messages;
create trigger messages_after_insert after insert on public.messages
  for each row when (not new.is_private) execute function private.message_after_insert();
comment on trigger messages_after_insert on public.messages is
  'The conversation''s bookkeeping and message.created to the visitor''s and the company''s topics, for messages that are not private notes.';

-- A note's payload for the company's members: as message.created's, marked private.
create function private.note_signal(m public.messages) returns jsonb
language sql stable set search_path = '' as $$
  select jsonb_build_object('id', m.id, 'conversation_id', m.conversation_id, 'sender_kind', m.sender_kind,
    'author_name', m.author_name, 'body', m.body, 'created_at', m.created_at, 'is_private', true)
$$;
comment on function private.note_signal(public.messages) is 'A note.created payload for the company''s current members.';

create function private.note_after_insert() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  perform realtime.send(private.note_signal(new), 'note.created', private.company_topic(new.company_id), true);
  return null;
end;
$$;
comment on function private.note_after_insert() is
  'After a private note is stored: note.created to the company''s keyed topic only; the conversation row and the visitor''s topic are left alone.';
create trigger messages_after_insert_note after insert on public.messages
  for each row when (new.is_private) execute function private.note_after_insert();
comment on trigger messages_after_insert_note on public.messages is 'note.created to the company''s members for a private note (and nothing to the visitor).';

-- Files ---------------------------------------------------------------------------------------------------------
create function private.attachment_not_on_note() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  if exists (select 1 from public.messages m where m.id = new.message_id and m.is_private) then
    raise exception 'a private note carries no files' using errcode = '23514';
  end if;
  return new;
end;
$$;
comment on function private.attachment_not_on_note() is 'Refuses linking a file to a private note (the visitor''s file policies read by conversation).';
create trigger attachments_not_on_note before insert or update of message_id on public.attachments
  for each row when (new.message_id is not null) execute function private.attachment_not_on_note();
comment on trigger attachments_not_on_note on public.attachments is 'A private note carries no files.';

revoke all on function private.note_signal(public.messages), private.note_after_insert(), private.attachment_not_on_note()
  from public, anon, authenticated;

-- Catch-up, read marks and figures: the newest definitions with notes left out -----------------------------------
create or replace function public.widget_start_session(
  p_widget_key text, p_origin text, p_user_id uuid, p_name text, p_email text, p_phone text, p_page_url text,
  p_page_title text, p_user_agent text, p_locale text, p_first_message_id uuid, p_first_message_body text, p_ip text,
  p_conversations_per_hour int, p_ip_conversations_per_hour int, p_messages_per_minute int, p_ip_messages_per_minute int
) returns jsonb
language plpgsql security definer set search_path = '' as $$
declare
  company uuid := private.widget_company(p_widget_key, p_origin);
  v public.visitors;
  c public.conversations;
  m public.messages;
  created boolean := false;
  wants_message boolean := p_first_message_id is not null and p_first_message_body is not null;
  replay boolean := false;
begin
  select * into v from public.visitors where company_id = company and user_id = p_user_id;
  if found then
    select * into c from public.conversations
     where visitor_id = v.id and platform = 'widget' and status <> 'resolved'
     order by created_at desc limit 1 for update;
  end if;
  if wants_message then
    select * into m from public.messages where id = p_first_message_id;
    if found then
      -- A retry of this visitor's first message is answered from the database (no second row, no limit);
      -- an id of any other message is a conflict, refused before anything is written.
      if c.id is null or m.conversation_id <> c.id or m.author_id is distinct from p_user_id or m.sender_kind <> 'visitor' then
        raise exception 'message_id_conflict' using errcode = 'PLM09';
      end if;
      replay := true;
    end if;
  end if;
  if c.id is null then
    perform private.widget_limit_conversation(p_user_id, p_ip, p_conversations_per_hour, p_ip_conversations_per_hour);
  end if;
  if wants_message and not replay then
    perform private.widget_limit_message(p_user_id, p_ip, p_messages_per_minute, p_ip_messages_per_minute);
  end if;

  insert into public.visitors as x (company_id, user_id, name, email, phone, last_page_url, last_page_title, user_agent, locale)
  values (company, p_user_id, p_name, p_email, p_phone, p_page_url, p_page_title, p_user_agent, p_locale)
  on conflict (company_id, user_id) do update set
    name = coalesce(excluded.name, x.name), email = coalesce(excluded.email, x.email), phone = coalesce(excluded.phone, x.phone),
    last_page_url = coalesce(excluded.last_page_url, x.last_page_url), last_page_title = coalesce(excluded.last_page_title, x.last_page_title),
    user_agent = coalesce(excluded.user_agent, x.user_agent), locale = coalesce(excluded.locale, x.locale), last_seen_at = now()
  returning * into v;

  if c.id is null then
    insert into public.conversations (company_id, visitor_id, platform) values (company, v.id, 'widget') returning * into c;
    created := true;
  end if;

  if wants_message and not replay then
    insert into public.messages (id, conversation_id, company_id, sender_kind, author_id, author_name, body)
    values (p_first_message_id, c.id, company, 'visitor', p_user_id, v.name, p_first_message_body)
    on conflict (id) do nothing;
    if not found then
      -- A concurrent call stored this id first: the same first message is a replay, any other a conflict
      -- (raised, so the visitor and conversation written above roll back too).
      if not exists (select 1 from public.messages x where x.id = p_first_message_id and x.conversation_id = c.id and x.author_id = p_user_id) then
        raise exception 'message_id_conflict' using errcode = 'PLM09';
      end if;
    end if;
  end if;

  return jsonb_build_object('created', created, 'visitor', to_jsonb(v), 'conversation', to_jsonb(c),
    'messages', coalesce((select jsonb_agg(to_jsonb(r) order by r.created_at, r.id)
                          from (select * from public.messages where conversation_id = c.id and not is_private order by created_at desc, id desc limit 100) r), '[]'::jsonb));
end;
$$;

create or replace function public.widget_history(p_widget_key text, p_origin text, p_user_id uuid, p_conversation_id uuid, p_after uuid, p_limit int)
returns jsonb
language plpgsql stable security definer set search_path = '' as $$
declare
  company uuid := private.widget_company(p_widget_key, p_origin);
  since timestamptz;
  since_id uuid;
  rows jsonb;
  read_id uuid;
  read_at timestamptz;
begin
  select c.agent_last_read_message_id, c.agent_last_read_at into read_id, read_at
    from public.conversations c join public.visitors v on v.id = c.visitor_id
   where c.id = p_conversation_id and v.user_id = p_user_id and c.company_id = company;
  if not found then
    raise exception 'conversation_not_found' using errcode = 'PLC04';
  end if;
  if p_after is not null then
    select created_at, id into since, since_id from public.messages where id = p_after and conversation_id = p_conversation_id and not is_private;
    if since is null then
      raise exception 'invalid_cursor' using errcode = 'PLH00';
    end if;
  end if;
  select coalesce(jsonb_agg(to_jsonb(m) order by m.created_at, m.id), '[]'::jsonb) into rows
    from (select * from public.messages
           where conversation_id = p_conversation_id and not is_private and (since is null or (created_at, id) > (since, since_id))
           order by created_at, id limit p_limit + 1) m;
  return jsonb_build_object('messages', rows, 'agent_read', jsonb_build_object('message_id', read_id, 'at', read_at));
end;
$$;

create or replace function public.mark_conversation_read(p_conversation_id uuid) returns void
language plpgsql security definer set search_path = '' as $$
declare
  current_mark uuid;
  newest uuid;
begin
  select c.agent_last_read_message_id into current_mark from public.conversations c
   where c.id = p_conversation_id and private.is_company_member(c.company_id)
     for update;
  if not found then
    return; -- not this user's company, or no such conversation: nothing changes
  end if;
  select m.id into newest from public.messages m where m.conversation_id = p_conversation_id and not m.is_private order by m.created_at desc, m.id desc limit 1;
  if private.read_mark_moves(p_conversation_id, current_mark, newest) then
    update public.conversations c set unread_count = 0, agent_last_read_message_id = newest, agent_last_read_at = now()
     where c.id = p_conversation_id;
  else
    update public.conversations c set unread_count = 0 where c.id = p_conversation_id and c.unread_count > 0;
  end if;
end;
$$;

create or replace function public.widget_mark_seen(p_widget_key text, p_origin text, p_user_id uuid, p_conversation_id uuid, p_message_id uuid)
returns jsonb
language plpgsql security definer set search_path = '' as $$
declare
  conv public.conversations;
begin
  select c.* into conv
    from public.widget_configs w
    join public.companies co on co.id = w.company_id
    join public.conversations c on c.company_id = w.company_id
    join public.visitors v on v.id = c.visitor_id
   where w.widget_key = p_widget_key and w.enabled and co.enabled and p_origin = any (w.allowed_origins)
     and c.id = p_conversation_id and v.user_id = p_user_id
     for update of c;
  if conv.id is null then
    perform private.widget_company(p_widget_key, p_origin);
    raise exception 'conversation_not_found' using errcode = 'PLC04';
  end if;
  if not exists (select 1 from public.messages m where m.id = p_message_id and m.conversation_id = p_conversation_id and not m.is_private) then
    raise exception 'message_not_found' using errcode = 'PLS04';
  end if;
  if private.read_mark_moves(conv.id, conv.visitor_last_read_message_id, p_message_id) then
    update public.conversations c set visitor_last_read_message_id = p_message_id, visitor_last_read_at = now()
     where c.id = conv.id
    returning * into conv;
  end if;
  return jsonb_build_object('message_id', conv.visitor_last_read_message_id, 'at', conv.visitor_last_read_at);
end;
$$;

create or replace function private.reply_time_of(p_company_id uuid, p_since timestamptz) returns table (median_seconds int, samples int)
language sql stable security definer set search_path = '' as $$
  with firsts as (
    select c.id,
      (select min(m.created_at) from public.messages m where m.conversation_id = c.id and m.sender_kind = 'visitor') asked
    from public.conversations c
    where c.company_id = p_company_id and c.last_message_at >= p_since
  ), answered as (
    select extract(epoch from (select min(m.created_at) from public.messages m
                               where m.conversation_id = f.id and m.sender_kind = 'agent' and not m.is_private and m.created_at > f.asked) - f.asked) secs
    from firsts f where f.asked >= p_since
  )
  select case when count(secs) >= 5 then round(percentile_cont(0.5) within group (order by secs))::int end, count(secs)::int
  from answered where secs is not null
$$;

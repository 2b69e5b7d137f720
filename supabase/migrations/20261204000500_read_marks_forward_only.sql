-- Seen, both ways (issue 18): read marks with their time, written through one RPC each side, moving only forward,
-- announced once by the database.
--
--   * The visitor's mark: public.widget_mark_seen, called by the widget-seen Edge Function (origin-checked, the
--     visitor's JWT; ADR 0006), service role only. The widget calls it only while the panel is open and the page
--     visible.
--   * The agents' mark: public.mark_conversation_read (the dashboard's existing read action), now forward-only,
--     stamped, and the only way to move it.
--   * Forward only: each locks the conversation row, then compares the message times (ADR 0008: microseconds) in
--     a later statement, whose snapshot sees every mark committed before the lock was granted. An older mark
--     arriving late changes nothing and sends nothing.
--   * Announced once: the one `update` by a statement fires conversations_after_update (depth 1), which sends one
--     conversation.updated to the visitor's topic and one to the company's. The payloads now carry the marks and
--     their times; a read that moves nothing writes nothing, so it sends nothing.

alter table public.conversations add column visitor_last_read_at timestamptz;
alter table public.conversations add column agent_last_read_at timestamptz;
comment on column public.conversations.visitor_last_read_at is 'When the visitor''s read mark last moved (shown as the time of "Seen" to agents).';
comment on column public.conversations.agent_last_read_at is 'When the agents'' read mark last moved (the visitor''s "Seen").';

-- The visitor's topic: the agents' mark and its time, nothing else of the agents.
create or replace function private.visitor_conversation(c public.conversations) returns jsonb
language sql stable set search_path = '' as $$
  select jsonb_build_object('id', c.id, 'status', c.status, 'agent_last_read_message_id', c.agent_last_read_message_id,
    'agent_last_read_at', c.agent_last_read_at, 'updated_at', c.updated_at)
$$;

create or replace function private.conversation_signal(c public.conversations) returns jsonb
language sql stable set search_path = '' as $$
  select jsonb_build_object('id', c.id, 'visitor_id', c.visitor_id, 'platform', c.platform, 'status', c.status,
    'assignee_id', c.assignee_id, 'auto_bot', c.auto_bot, 'unread_count', c.unread_count,
    'last_message_at', c.last_message_at, 'last_message_preview', c.last_message_preview,
    'visitor_last_read_message_id', c.visitor_last_read_message_id, 'visitor_last_read_at', c.visitor_last_read_at,
    'visitor_name', v.name, 'visitor_email', v.email,
    'created_at', c.created_at, 'updated_at', c.updated_at)
  from (select 1) one left join public.visitors v on v.id = c.visitor_id
$$;
revoke all on function private.visitor_conversation(public.conversations), private.conversation_signal(public.conversations)
  from public, anon, authenticated;

-- A message's writer has read everything before it: the message moves its side's mark and stamps the time.
create or replace function private.message_after_insert() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  topic text;
begin
  -- updated_at is set here: conversations_before_update does not fire for this nested update.
  update public.conversations c set
    last_message_at = greatest(c.last_message_at, new.created_at),
    last_message_preview = left(btrim(regexp_replace(new.body, '\s+', ' ', 'g')), 140),
    unread_count = case
      when new.sender_kind = 'visitor' then c.unread_count + 1
      when new.sender_kind = 'agent' then 0
      else c.unread_count end,
    agent_last_read_message_id = case when new.sender_kind = 'agent' then new.id else c.agent_last_read_message_id end,
    agent_last_read_at = case when new.sender_kind = 'agent' then new.created_at else c.agent_last_read_at end,
    visitor_last_read_message_id = case when new.sender_kind = 'visitor' then new.id else c.visitor_last_read_message_id end,
    visitor_last_read_at = case when new.sender_kind = 'visitor' then new.created_at else c.visitor_last_read_at end,
    status = case when new.sender_kind = 'visitor' and c.status = 'resolved' then 'open'::public.conversation_status else c.status end,
    updated_at = now()
  from public.companies co
  where c.id = new.conversation_id and co.id = c.company_id
  returning co.realtime_topic into topic;
  perform realtime.send(private.visitor_message(new), 'message.created', 'conversation:' || new.conversation_id, true),
          realtime.send(private.message_signal(new), 'message.created', coalesce(topic, private.company_topic(new.company_id)), true);
  return null;
end;
$$;
comment on function private.message_after_insert() is
  'After a message is stored: the conversation''s bookkeeping (last message, preview, unread, read marks and their times, reopening) and message.created to the conversation topic and the company''s keyed topic.';
revoke all on function private.message_after_insert() from public, anon, authenticated;

-- Whether message p_new is later than message p_old of the same conversation (a missing old mark: yes).
create function private.read_mark_moves(p_conversation_id uuid, p_old uuid, p_new uuid) returns boolean
language sql stable security definer set search_path = '' as $$
  select coalesce(n.created_at > o.created_at or (n.created_at = o.created_at and n.id > o.id), n.id is not null and o.id is null)
    from (select 1) one
    left join public.messages n on n.id = p_new and n.conversation_id = p_conversation_id
    left join public.messages o on o.id = p_old and o.conversation_id = p_conversation_id
$$;
comment on function private.read_mark_moves(uuid, uuid, uuid) is 'Whether a read mark at message p_new is ahead of one at p_old (both of the conversation; an unknown p_new never is).';
revoke all on function private.read_mark_moves(uuid, uuid, uuid) from public, anon, authenticated;

-- The agents' read: the newest message now, unless the mark is already there or further. Members of the
-- conversation's company only (checked here: the function is the definer so that the mark and its time are
-- written by it alone; the direct column grant that let an agent move the mark anywhere is revoked).
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
  select m.id into newest from public.messages m where m.conversation_id = p_conversation_id order by m.created_at desc, m.id desc limit 1;
  if private.read_mark_moves(p_conversation_id, current_mark, newest) then
    update public.conversations c set unread_count = 0, agent_last_read_message_id = newest, agent_last_read_at = now()
     where c.id = p_conversation_id;
  else
    update public.conversations c set unread_count = 0 where c.id = p_conversation_id and c.unread_count > 0;
  end if;
end;
$$;
comment on function public.mark_conversation_read(uuid) is
  'The agents'' read of a conversation: clears its unread count and moves their read mark to the newest message, never back (members of its company only; others change nothing).';
revoke all on function public.mark_conversation_read(uuid) from public, anon;
grant execute on function public.mark_conversation_read(uuid) to authenticated, service_role;
revoke update (agent_last_read_message_id) on public.conversations from authenticated;

-- The visitor's read, through the widget-seen function. Returns the mark as it stands after the call.
create function public.widget_mark_seen(p_widget_key text, p_origin text, p_user_id uuid, p_conversation_id uuid, p_message_id uuid)
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
  if not exists (select 1 from public.messages m where m.id = p_message_id and m.conversation_id = p_conversation_id) then
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
comment on function public.widget_mark_seen(text, text, uuid, uuid, uuid) is
  'The visitor saw their conversation up to a message: moves their read mark forward only (widget found by key and origin, ownership checked; PLW04/PLC04/PLS04 refuse; service role only).';
revoke all on function public.widget_mark_seen(text, text, uuid, uuid, uuid) from public, anon, authenticated;
grant execute on function public.widget_mark_seen(text, text, uuid, uuid, uuid) to service_role;

-- The widget's catch-up also says how far the agents have read, so "Seen" shows after a reload too (same read of
-- the conversation that checks ownership; no extra statement).
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
    select created_at, id into since, since_id from public.messages where id = p_after and conversation_id = p_conversation_id;
    if since is null then
      raise exception 'invalid_cursor' using errcode = 'PLH00';
    end if;
  end if;
  select coalesce(jsonb_agg(to_jsonb(m) order by m.created_at, m.id), '[]'::jsonb) into rows
    from (select * from public.messages
           where conversation_id = p_conversation_id and (since is null or (created_at, id) > (since, since_id))
           order by created_at, id limit p_limit + 1) m;
  return jsonb_build_object('messages', rows, 'agent_read', jsonb_build_object('message_id', read_id, 'at', read_at));
end;
$$;
comment on function public.widget_history(text, text, uuid, uuid, uuid, int) is
  'Widget catch-up for the widget found by key and origin, own conversation only, with the agents'' read mark; refusals raise PLW04/PLC04/PLH00 (service role only).';

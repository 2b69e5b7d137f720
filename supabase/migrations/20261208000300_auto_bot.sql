-- The Auto Bot (issue 22, docs/decisions/0017-help-search-and-bot.md). A company default in the widget settings
-- turns it on for new conversations; the existing per-conversation switch (conversations.auto_bot) keeps deciding.
-- The widget-messages and widget-session functions ask bot_consider after storing a visitor message and answer
-- with bot_reply above the confidence threshold: the reply's id is derived from the visitor message's id (uuid v5),
-- so a message is answered at most once, and bot_reply re-checks under the conversation's lock that the bot is
-- still on and no agent has joined. "Talk to a person" is widget_handoff: bot off, a system message in the thread
-- and conversation.handoff on the company topic.

alter table public.widget_configs add column auto_bot_default boolean not null default false;
comment on column public.widget_configs.auto_bot_default is 'Whether new conversations start with the Auto Bot on (each conversation''s own switch decides after that).';
grant update (auto_bot_default) on public.widget_configs to authenticated;

create function private.conversation_bot_default() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  if not new.auto_bot then
    new.auto_bot := coalesce((select w.auto_bot_default from public.widget_configs w where w.company_id = new.company_id), false);
  end if;
  return new;
end;
$$;
comment on function private.conversation_bot_default() is 'A new conversation takes its company''s Auto Bot default (widget_configs.auto_bot_default) unless created with the bot on.';
revoke all on function private.conversation_bot_default() from public, anon, authenticated;
create trigger conversations_bot_default before insert on public.conversations
  for each row execute function private.conversation_bot_default();
comment on trigger conversations_bot_default on public.conversations is 'Applies the company''s Auto Bot default to a new conversation.';

-- The bot's reply to a visitor message has this id: a second answer to one message is the same row.
create function private.bot_reply_id(p_message_id uuid) returns uuid
language sql immutable parallel safe set search_path = '' as $$
  select extensions.uuid_generate_v5(extensions.uuid_ns_oid(), 'porchlight:bot-reply:' || p_message_id::text)
$$;
comment on function private.bot_reply_id(uuid) is 'The id of the bot''s reply to a visitor message (uuid v5 of it): one reply per message at most.';

-- Why the bot may not answer a conversation now, or null if it may: off, an agent assigned or already replied.
create function private.bot_blocked(p_conversation_id uuid) returns text
language sql stable security definer set search_path = '' as $$
  select case
    when c.id is null then 'not_found'
    when not c.auto_bot then 'bot_off'
    when c.assignee_id is not null then 'agent_joined'
    when exists (select 1 from public.messages m where m.conversation_id = c.id and m.sender_kind = 'agent') then 'agent_joined'
  end
  from (select 1) one left join public.conversations c on c.id = p_conversation_id
$$;
comment on function private.bot_blocked(uuid) is 'Why the Auto Bot may not answer in a conversation (not_found, bot_off, agent_joined), or null when it may.';
revoke all on function private.bot_reply_id(uuid), private.bot_blocked(uuid) from public, anon, authenticated;

create function public.bot_consider(p_message_id uuid, p_limit int default 3) returns jsonb
language plpgsql stable security definer set search_path = '' as $$
declare
  m public.messages;
  blocked text;
  locale text;
begin
  select * into m from public.messages where id = p_message_id and sender_kind = 'visitor';
  if m.id is null then
    return jsonb_build_object('eligible', false, 'reason', 'not_a_visitor_message');
  end if;
  blocked := private.bot_blocked(m.conversation_id);
  if blocked is null and exists (select 1 from public.messages where id = private.bot_reply_id(p_message_id)) then
    blocked := 'answered';
  end if;
  if blocked is not null then
    return jsonb_build_object('eligible', false, 'reason', blocked);
  end if;
  select coalesce(nullif(left(v.locale, 2), ''), w.locale) into locale
    from public.conversations c join public.visitors v on v.id = c.visitor_id
    left join public.widget_configs w on w.company_id = c.company_id where c.id = m.conversation_id;
  return jsonb_build_object('eligible', true, 'conversation_id', m.conversation_id, 'locale', locale,
    'reply_id', private.bot_reply_id(p_message_id),
    'matches', coalesce((select jsonb_agg(to_jsonb(s) || jsonb_build_object('body', a.body) order by s.score desc)
                           from private.help_search(m.company_id, m.body, p_limit) s join public.help_articles a on a.id = s.id), '[]'::jsonb));
end;
$$;
comment on function public.bot_consider(uuid, int) is
  'Whether the Auto Bot may answer a visitor message (bot on, no agent joined, not answered yet) and the best matching published articles with their scores (service role only).';

create function public.bot_reply(p_message_id uuid, p_body text) returns jsonb
language plpgsql security definer set search_path = '' as $$
declare
  conv uuid;
  blocked text;
  m public.messages;
begin
  select x.conversation_id into conv from public.messages x where x.id = p_message_id and x.sender_kind = 'visitor';
  if conv is null then
    return jsonb_build_object('created', false, 'reason', 'not_a_visitor_message');
  end if;
  -- The conversation's row lock orders this against an agent's reply (its bookkeeping updates the row) and a hand-off.
  perform 1 from public.conversations where id = conv for update;
  blocked := private.bot_blocked(conv);
  if blocked is not null then
    return jsonb_build_object('created', false, 'reason', blocked);
  end if;
  insert into public.messages (id, conversation_id, sender_kind, author_name, body)
  values (private.bot_reply_id(p_message_id), conv, 'bot', 'Auto Bot', left(p_body, 4000))
  on conflict (id) do nothing
  returning * into m;
  if m.id is null then
    return jsonb_build_object('created', false, 'reason', 'answered');
  end if;
  return jsonb_build_object('created', true, 'message', to_jsonb(m));
end;
$$;
comment on function public.bot_reply(uuid, text) is
  'Stores the Auto Bot''s answer to a visitor message, once (its id derives from the message''s), only while the bot is on and no agent has joined (service role only).';

create function public.widget_handoff(p_widget_key text, p_origin text, p_user_id uuid, p_conversation_id uuid, p_body text) returns jsonb
language plpgsql security definer set search_path = '' as $$
declare
  c public.conversations;
  m public.messages;
  topic text;
begin
  select x.* into c
    from public.widget_configs w
    join public.companies co on co.id = w.company_id
    join public.conversations x on x.company_id = w.company_id
    join public.visitors v on v.id = x.visitor_id
   where w.widget_key = p_widget_key and w.enabled and co.enabled and p_origin = any (w.allowed_origins)
     and x.id = p_conversation_id and v.user_id = p_user_id
   for update of x;
  if c.id is null then
    perform private.widget_company(p_widget_key, p_origin);
    raise exception 'conversation_not_found' using errcode = 'PLC04';
  end if;
  if not c.auto_bot then
    -- Handed off already (or the bot was never on): nothing more to do, nobody alerted twice.
    return jsonb_build_object('handed_off', false);
  end if;
  -- Counted as unread, so the inbox shows the conversation waiting for someone.
  update public.conversations set auto_bot = false, unread_count = unread_count + 1 where id = c.id;
  insert into public.messages (conversation_id, sender_kind, author_name, body)
  values (c.id, 'system', 'Auto Bot', left(p_body, 4000))
  returning * into m;
  select co.realtime_topic into topic from public.companies co where co.id = c.company_id;
  perform realtime.send(jsonb_build_object('conversation_id', c.id, 'message_id', m.id), 'conversation.handoff',
                        coalesce(topic, private.company_topic(c.company_id)), true);
  return jsonb_build_object('handed_off', true, 'message', to_jsonb(m));
end;
$$;
comment on function public.widget_handoff(text, text, uuid, uuid, text) is
  'The visitor asks for a person: Auto Bot off for their conversation, a system message in the thread, conversation.handoff on the company topic; once (service role only).';

revoke all on function public.bot_consider(uuid, int), public.bot_reply(uuid, text), public.widget_handoff(text, text, uuid, uuid, text)
  from public, anon, authenticated;
grant execute on function public.bot_consider(uuid, int), public.bot_reply(uuid, text), public.widget_handoff(text, text, uuid, uuid, text)
  to service_role;

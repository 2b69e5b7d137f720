-- Keeping conversations right as messages arrive, and broadcasting changes over Realtime.
--
-- Broadcasts (private topics, sent with realtime.send, so only subscribers the realtime policies admit get them):
--   topic conversation:<conversation_id>
--     event message.created       payload: the messages row as JSON (id, conversation_id, company_id, sender_kind,
--                                          author_id, author_name, body, created_at)
--     event conversation.updated  payload: the conversations row as JSON
--   topic company:<company_id>
--     event message.created       payload: the messages row as JSON
--     event conversation.created  payload: the conversations row as JSON
--     event conversation.updated  payload: the conversations row as JSON
-- The trigger functions are security definer: the writer (an agent, or the service role) need not be allowed
-- to insert into realtime.messages itself.

create function private.message_before_insert() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  -- The company always comes from the conversation, whatever the writer sent.
  select c.company_id into new.company_id from public.conversations c where c.id = new.conversation_id;
  if new.company_id is null then
    raise exception 'conversation % does not exist', new.conversation_id using errcode = '23503';
  end if;
  return new;
end;
$$;
create trigger messages_before_insert before insert on public.messages
  for each row execute function private.message_before_insert();

create function private.message_after_insert() returns trigger
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
  perform realtime.send(to_jsonb(new), 'message.created', 'conversation:' || new.conversation_id, true);
  perform realtime.send(to_jsonb(new), 'message.created', 'company:' || new.company_id, true);
  return null;
end;
$$;
create trigger messages_after_insert after insert on public.messages
  for each row execute function private.message_after_insert();

create function private.conversation_before_update() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  if new.company_id <> old.company_id or new.visitor_id <> old.visitor_id then
    raise exception 'a conversation cannot move to another company or visitor' using errcode = '42501';
  end if;
  if new.assignee_id is not null and new.assignee_id is distinct from old.assignee_id and not exists (
    select 1 from public.company_members m where m.company_id = new.company_id and m.user_id = new.assignee_id) then
    raise exception 'the assignee must be a member of the company' using errcode = '23514';
  end if;
  new.updated_at := now();
  return new;
end;
$$;
create trigger conversations_before_update before update on public.conversations
  for each row execute function private.conversation_before_update();

create function private.conversation_after_change() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  if tg_op = 'INSERT' then
    perform realtime.send(to_jsonb(new), 'conversation.created', 'company:' || new.company_id, true);
  else
    perform realtime.send(to_jsonb(new), 'conversation.updated', 'conversation:' || new.id, true);
    perform realtime.send(to_jsonb(new), 'conversation.updated', 'company:' || new.company_id, true);
  end if;
  return null;
end;
$$;
create trigger conversations_after_insert after insert on public.conversations
  for each row execute function private.conversation_after_change();
create trigger conversations_after_update after update on public.conversations
  for each row execute function private.conversation_after_change();

revoke all on function private.message_before_insert(), private.message_after_insert(), private.conversation_before_update(), private.conversation_after_change() from public, anon, authenticated;

-- Agents mark a conversation read when they open it.
create function public.mark_conversation_read(p_conversation_id uuid) returns void
language sql security invoker set search_path = '' as $$
  update public.conversations c set
    unread_count = 0,
    agent_last_read_message_id = coalesce(
      (select m.id from public.messages m where m.conversation_id = c.id order by m.created_at desc, m.id desc limit 1),
      c.agent_last_read_message_id)
  where c.id = p_conversation_id and c.unread_count > 0;
$$;
comment on function public.mark_conversation_read(uuid) is 'Clears the unread count of a conversation for its company''s agents (RLS applies: others change nothing).';
revoke all on function public.mark_conversation_read(uuid) from public, anon;
grant execute on function public.mark_conversation_read(uuid) to authenticated, service_role;

-- One broadcast per new message and topic.
--
-- Storing a message also updates its conversation (last message, preview, unread count, read marks, a resolved
-- conversation reopening). That update used to broadcast conversation.updated to both topics too, so every message
-- cost four realtime.send rows, four notifications and four frames per subscriber, while no client needs the two
-- extra ones: the message.created payload says what changed, and the dashboard re-reads its data on any company
-- event. Now conversation.updated announces changes made to a conversation itself (status, assignee, marked read),
-- not the bookkeeping a new message causes. Payloads are unchanged (see 20261124000400_message_triggers.sql).

create or replace function private.conversation_after_change() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  if tg_op = 'INSERT' then
    perform realtime.send(to_jsonb(new), 'conversation.created', 'company:' || new.company_id, true);
  elsif pg_trigger_depth() = 1 then
    -- Depth 1: a statement updated the conversation. Deeper: the messages trigger did, and its message.created
    -- already tells every subscriber.
    perform realtime.send(to_jsonb(new), 'conversation.updated', 'conversation:' || new.id, true);
    perform realtime.send(to_jsonb(new), 'conversation.updated', 'company:' || new.company_id, true);
  end if;
  return null;
end;
$$;
comment on function private.conversation_after_change() is
  'Broadcasts conversation.created (company topic) and conversation.updated (conversation and company topics) for changes made to a conversation itself; a new message''s bookkeeping is announced by message.created.';
revoke all on function private.conversation_after_change() from public, anon, authenticated;

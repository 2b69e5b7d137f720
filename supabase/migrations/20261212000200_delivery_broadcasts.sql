-- Messenger/Instagram delivery states live in the dashboard (issue 23): a reply's delivery row moving (sent after a
-- background retry, failed, delivered, read) is announced on the company's keyed topic from the database, like the
-- other company events (realtime.send, ADR 0002). The signal carries ids and the status only; an open conversation
-- that shows the reply reads its deliveries again (the database is the truth). A lease (next_attempt_at alone) says
-- nothing.

create function private.meta_delivery_after_change() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  topic text := private.company_topic(new.company_id);
  conversation uuid;
begin
  if topic is null then -- null while the company itself is being deleted
    return null;
  end if;
  select m.conversation_id into conversation from public.messages m where m.id = new.message_id;
  perform realtime.send(jsonb_build_object('message_id', new.message_id, 'conversation_id', conversation, 'status', new.status),
    'message.delivery', topic, true);
  return null;
end;
$$;
comment on function private.meta_delivery_after_change() is 'message.delivery on the company topic when a Messenger/Instagram reply''s delivery row is written or its status or reason changes.';
revoke all on function private.meta_delivery_after_change() from public, anon, authenticated;

create trigger meta_deliveries_after_insert after insert on public.meta_deliveries
  for each row execute function private.meta_delivery_after_change();
create trigger meta_deliveries_after_update after update of status, error on public.meta_deliveries
  for each row when (old.status is distinct from new.status or old.error is distinct from new.error)
  execute function private.meta_delivery_after_change();

-- Run on every start, after the bootstrap (idempotent): the notify that carries realtime.messages to the local
-- Realtime service. Data folders made by older versions had it under another name; it is replaced here.
drop trigger if exists porchlight_notify_message on realtime.messages;
drop function if exists realtime.porchlight_notify_message();

-- Stand-in only: the real server reads realtime.messages by logical replication; here a notify carries each
-- committed row to the local Realtime service. A row that fits (NOTIFY payloads stop at 8000 bytes) travels
-- whole, as JSON, so delivery needs no second trip to the database; a larger or binary one sends
-- '<id> <inserted_at>' and the service reads the row.
create or replace function realtime.local_supabase_notify_message() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  msg text;
begin
  if new.extension = 'broadcast' then
    if new.binary_payload is null then
      msg := json_build_object('id', new.id, 'topic', new.topic, 'event', new.event, 'private', new.private,
                               'inserted_at', new.inserted_at::text, 'payload', new.payload)::text;
    end if;
    if msg is null or octet_length(msg) > 7999 then
      msg := new.id::text || ' ' || new.inserted_at::text;
    end if;
    perform pg_notify('local_supabase_realtime_messages', msg);
  end if;
  return null;
end;
$$;
drop trigger if exists local_supabase_notify_message on realtime.messages;
create trigger local_supabase_notify_message after insert on realtime.messages
  for each row execute function realtime.local_supabase_notify_message();
revoke execute on function realtime.local_supabase_notify_message() from public, anon, authenticated, service_role;


-- Who may join and send on private Realtime channels (policies on realtime.messages, evaluated by Realtime
-- as the connecting user):
--   conversation:<id>  broadcast and presence, read and write: the conversation's visitor and its company's members
--   company:<id>       broadcast and presence, read and write: the company's members only

create function private.can_access_topic(p_topic text) returns boolean
language plpgsql stable security definer set search_path = '' as $$
declare
  uuid_re constant text := '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
  target text;
begin
  if p_topic like 'conversation:%' then
    target := substr(p_topic, length('conversation:') + 1);
    return target ~ uuid_re and private.can_access_conversation(target::uuid);
  elsif p_topic like 'company:%' then
    target := substr(p_topic, length('company:') + 1);
    return target ~ uuid_re and private.is_company_member(target::uuid);
  end if;
  return false;
end;
$$;
comment on function private.can_access_topic(text) is 'Whether the current user may use a Porchlight Realtime topic (conversation:<id> or company:<id>).';
revoke all on function private.can_access_topic(text) from public, anon;
grant execute on function private.can_access_topic(text) to authenticated, service_role;

create policy "porchlight topics: read" on realtime.messages
  for select to authenticated
  using (realtime.messages.extension in ('broadcast', 'presence') and private.can_access_topic((select realtime.topic())));

create policy "porchlight topics: write" on realtime.messages
  for insert to authenticated
  with check (realtime.messages.extension in ('broadcast', 'presence') and private.can_access_topic((select realtime.topic())));

-- Topics for the client signals of issue 18: typing (both ways) and who is there (agents → visitors).
--
-- Realtime's write check inserts a probe row with the topic and the extension only (tenants/authorization.ex:
-- `Message.changeset(%{topic, extension})`), once per channel: a policy cannot see the event name. So the event
-- names a client may send are restricted by topic, as ADR 0002 planned: the topics that carry server events
-- (`conversation:<id>`, `company:<id>:<key>`) stay closed to every client broadcast, and the new topics carry
-- client signals only. A receiver listens for `typing` on a typing topic and for server events on the server
-- topics, so a `message.created` sent into a typing topic is never taken for the database's.
--   conversation:<id>:typing — broadcast read and write: the conversation's visitor and its company's members.
--     No presence: typing goes over Broadcast (hosted Realtime closes a channel past ~5 presence updates / 30 s).
--   availability:<widget key> — presence read: the company's members and its visitors (a visitors row of the
--     company); presence write: members only (a visitor can read who is there, never appear there). Agents track
--     their initials only. No broadcast either way. Visitors' presence lives on their own conversation topic, so
--     nothing here tells a visitor about another visitor.

create function private.is_company_visitor(p_company_id uuid) returns boolean
language sql stable security definer set search_path = '' as $$
  select exists (select 1 from public.visitors v where v.company_id = p_company_id and v.user_id = (select auth.uid()))
$$;
comment on function private.is_company_visitor(uuid) is 'Whether the current user is a visitor of the company (has chatted through its widget).';
revoke all on function private.is_company_visitor(uuid) from public, anon;
grant execute on function private.is_company_visitor(uuid) to authenticated, service_role;

create or replace function private.topic_access(p_topic text, p_extension text, p_direction text) returns boolean
language plpgsql stable security definer set search_path = '' as $$
declare
  uuid_re constant text := '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
  parts text[];
  company uuid;
begin
  -- Client signals first: their topics are the only ones a client may broadcast on.
  parts := regexp_match(p_topic, '^conversation:(' || uuid_re || '):typing$');
  if parts is not null then
    return p_extension = 'broadcast' and private.can_access_conversation(parts[1]::uuid);
  end if;
  parts := regexp_match(p_topic, '^availability:(pk_[A-Za-z0-9_]{6,64})$');
  if parts is not null then
    if p_extension <> 'presence' then
      return false;
    end if;
    select w.company_id into company from public.widget_configs w where w.widget_key = parts[1];
    if company is null then
      return false;
    end if;
    return private.is_company_member(company) or (p_direction = 'read' and private.is_company_visitor(company));
  end if;
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
  'conversation:<id> (broadcast read and presence write: its visitor; presence read: its visitor and company members), '
  'company:<id>:<key> (members, current key only; no client broadcast), '
  'conversation:<id>:typing (broadcast read and write: its visitor and company members; no presence), '
  'availability:<widget key> (presence read: members and the company''s visitors; presence write: members; no broadcast).';

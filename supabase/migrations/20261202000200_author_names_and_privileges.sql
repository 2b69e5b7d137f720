-- Author names set by the database, and API privileges that are exactly what the migrations grant
-- (issue 14, findings 9 and 11).
--
-- 1. messages.author_name was client-writable: an agent could store a reply under any display name. Now the
--    messages before-insert trigger sets it: an agent's reply carries their display name in the message's
--    company, a visitor's message their visitor name; bot and system messages keep what the service role wrote.
--    Agents may no longer send the column at all.
-- 2. The migrations granted columns without revoking first. A database whose default privileges grant ALL on
--    new tables to anon and authenticated (older hosted projects) kept ALL next to those column grants, so an
--    admin could update companies.enabled and lift their own suspension. Now every table's privileges for the
--    API roles are revoked and granted again exactly as the migrations meant them, and tables created later
--    start with none (as on newer hosted projects and the local stand-in).
-- 3. Operator-only columns (a company's switch and identity, a widget's key and company, the company and user of
--    a membership or a visitor) are refused to anyone but the operator's roles by a trigger, whatever a grant says.

-- 1. Author names ----------------------------------------------------------------------------------------------

create or replace function private.message_before_insert() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  member_name text;
begin
  -- The company always comes from the conversation, whatever the writer sent.
  select c.company_id into new.company_id from public.conversations c where c.id = new.conversation_id;
  if new.company_id is null then
    raise exception 'conversation % does not exist', new.conversation_id using errcode = '23503';
  end if;
  if new.sender_kind = 'agent' then
    select m.display_name into member_name from public.company_members m
     where m.company_id = new.company_id and m.user_id = new.author_id;
    -- Agents' own inserts always find themselves (the insert policy requires author = caller and membership);
    -- only the service role may store an agent message for someone who is not a member, under its own name.
    if found then
      new.author_name := member_name;
    end if;
  elsif new.sender_kind = 'visitor' then
    select v.name into new.author_name
      from public.conversations c join public.visitors v on v.id = c.visitor_id
     where c.id = new.conversation_id;
  end if;
  return new;
end;
$$;
comment on function private.message_before_insert() is
  'Before a message is stored: takes the company from the conversation and sets the author name (agent: their display name in that company; visitor: the visitor''s name; bot/system: as written by the service role).';
revoke all on function private.message_before_insert() from public, anon, authenticated;

-- 2. Privileges: revoke everything, grant exactly what the migrations meant -----------------------------------
-- begin: api grants (tests/db/privileges.test.ts replays this block on a database whose defaults granted ALL)
revoke all on public.companies, public.company_members, public.widget_configs, public.visitors, public.conversations,
  public.messages, public.widget_rate_limit_hits from public, anon, authenticated;

grant select on public.companies to authenticated;
grant update (name) on public.companies to authenticated;
grant select, insert, delete on public.company_members to authenticated;
grant update (role, display_name) on public.company_members to authenticated;
grant select on public.widget_configs to authenticated;
grant update (enabled, primary_color, accent_color, position, title, greeting, launcher_label, auto_open_after_seconds, locale,
  prechat_name, prechat_email, prechat_phone, allowed_origins) on public.widget_configs to authenticated;
grant select on public.visitors, public.conversations, public.messages to authenticated;
grant update (status, assignee_id, auto_bot, unread_count, agent_last_read_message_id) on public.conversations to authenticated;
-- No author_name: the trigger above sets it.
grant insert (id, conversation_id, sender_kind, author_id, body) on public.messages to authenticated;

grant all on public.companies, public.company_members, public.widget_configs, public.visitors, public.conversations,
  public.messages, public.widget_rate_limit_hits to service_role;
-- end: api grants

-- Tables and sequences created by later migrations start with no privileges for the API roles, whatever the
-- project's defaults: each migration grants what it means.
alter default privileges for role postgres in schema public revoke all on tables from public, anon, authenticated;
alter default privileges for role postgres in schema public revoke all on sequences from public, anon, authenticated;

-- 3. Operator-only columns -------------------------------------------------------------------------------------

-- Not security definer: current_user must be the role that runs the update (an API role through PostgREST;
-- the owner, postgres, inside security definer functions, whose checks are their own).
create function private.refuse_operator_columns() returns trigger
language plpgsql set search_path = '' as $$
declare
  col text;
begin
  if current_user in ('postgres', 'service_role', 'supabase_admin') then
    return new;
  end if;
  foreach col in array tg_argv loop
    if (to_jsonb(new) -> col) is distinct from (to_jsonb(old) -> col) then
      raise exception 'only the operator may change %.%', tg_table_name, col using errcode = '42501';
    end if;
  end loop;
  return new;
end;
$$;
comment on function private.refuse_operator_columns() is
  'Before update: refuses a change to any column named in the trigger''s arguments unless the role is postgres, service_role or supabase_admin (42501).';
revoke all on function private.refuse_operator_columns() from public, anon, authenticated;

create trigger companies_operator_columns before update on public.companies
  for each row execute function private.refuse_operator_columns('id', 'enabled', 'created_at');
create trigger widget_configs_operator_columns before update on public.widget_configs
  for each row execute function private.refuse_operator_columns('company_id', 'widget_key');
create trigger company_members_operator_columns before update on public.company_members
  for each row execute function private.refuse_operator_columns('company_id', 'user_id', 'created_at');
create trigger visitors_operator_columns before update on public.visitors
  for each row execute function private.refuse_operator_columns('id', 'company_id', 'user_id');
create trigger conversations_operator_columns before update on public.conversations
  for each row execute function private.refuse_operator_columns('id', 'company_id', 'visitor_id', 'platform', 'created_at');
create trigger messages_operator_columns before update on public.messages
  for each row execute function private.refuse_operator_columns('id', 'conversation_id', 'company_id', 'sender_kind', 'author_id', 'author_name', 'body', 'created_at');

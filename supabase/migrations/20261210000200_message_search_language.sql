-- Inbox search (issue 24, ADR 0020): each message remembers which text-search configuration reads it, taken at
-- insert from the conversation's visitor's locale (German, English, else 'simple': no stemming, no stop words).
-- Text, not regconfig: pg_upgrade refuses reg* columns in user tables, and hosted major upgrades use it.

alter table public.messages add column search_language text not null default 'simple'
  check (search_language in ('simple', 'english', 'german'));
comment on column public.messages.search_language is
  'Text-search configuration of the body (simple, english or german), set at insert from the visitor''s locale; read by the search index.';

create function private.search_language_for_locale(p_locale text) returns text
language sql immutable parallel safe set search_path = '' as $$
  select case lower(split_part(split_part(coalesce(p_locale, ''), '-', 1), '_', 1))
    when 'de' then 'german' when 'en' then 'english' else 'simple' end
$$;
comment on function private.search_language_for_locale(text) is
  'The search configuration for a visitor locale (de → german, en → english, anything else or unknown → simple).';

-- Immutable spellings of the configuration, so an index expression and a query can share them.
create function private.search_config(p_language text) returns regconfig
language sql immutable parallel safe as $$
  select case p_language when 'german' then 'pg_catalog.german'::regconfig when 'english' then 'pg_catalog.english'::regconfig
    else 'pg_catalog.simple'::regconfig end
$$;
comment on function private.search_config(text) is 'The text-search configuration named by messages.search_language.';

create function private.message_search_vector(p_language text, p_body text) returns tsvector
language sql immutable parallel safe as $$
  select pg_catalog.to_tsvector(private.search_config(p_language), p_body)
$$;
comment on function private.message_search_vector(text, text) is
  'The words of a message body under its language''s configuration: the expression the search index stores.';

-- Stored, not only indexed: a search re-checks candidate rows (newest first for a common word, prefix matches)
-- against the vector, and recomputing to_tsvector there cost more than the whole search budget at 1M messages.
-- Row readers that return whole rows (widget_history, widget_send_message) hand them to Edge Functions, whose
-- toMessage keeps only the message's fields: the vector never reaches a client.
alter table public.messages add column search_vector tsvector generated always as (private.message_search_vector(search_language, body)) stored;
comment on column public.messages.search_vector is 'The body''s words under search_language (generated): what inbox search matches, ranks and marks.';

revoke all on function private.search_language_for_locale(text), private.search_config(text), private.message_search_vector(text, text) from public, anon;
grant execute on function private.search_language_for_locale(text), private.search_config(text), private.message_search_vector(text, text) to authenticated, service_role;

-- Shared function (see /work/notes/main-status.md): the newest definition (20261203000200_send_cost.sql) with
-- one change: the visitor is joined for every message (not only the visitor's own) to set search_language in the
-- same read; an agent's reply is read in the language of the visitor it answers.
create or replace function private.message_before_insert() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  found_company uuid;
  member uuid;
  member_name text;
  visitor_name text;
  visitor_locale text;
begin
  -- The company always comes from the conversation, whatever the writer sent; the author's name in the same read.
  select c.company_id, m.user_id, m.display_name, v.name, v.locale into found_company, member, member_name, visitor_name, visitor_locale
    from public.conversations c
    left join public.company_members m on new.sender_kind = 'agent' and m.company_id = c.company_id and m.user_id = new.author_id
    left join public.visitors v on v.id = c.visitor_id
   where c.id = new.conversation_id;
  if found_company is null then
    raise exception 'conversation % does not exist', new.conversation_id using errcode = '23503';
  end if;
  new.company_id := found_company;
  new.search_language := case lower(split_part(split_part(coalesce(visitor_locale, ''), '-', 1), '_', 1))
    when 'de' then 'german' when 'en' then 'english' else 'simple' end; -- = private.search_language_for_locale, inline: no extra call per send
  if new.sender_kind = 'agent' then
    -- Agents' own inserts always find themselves (the insert policy requires author = caller and membership);
    -- only the service role may store an agent message for someone who is not a member, under its own name.
    if member is not null then
      new.author_name := member_name;
    end if;
  elsif new.sender_kind = 'visitor' then
    new.author_name := visitor_name;
  end if;
  return new;
end;
$$;
comment on function private.message_before_insert() is
  'Before a message is stored: takes the company from the conversation, sets the author name (agent: their display name in that company; visitor: the visitor''s name; bot/system: as written by the service role) and the search language from the visitor''s locale, in one read.';
revoke all on function private.message_before_insert() from public, anon, authenticated;

-- Messages stored before this migration: their visitor's locale, once.
update public.messages m set search_language = private.search_language_for_locale(v.locale)
  from public.conversations c join public.visitors v on v.id = c.visitor_id
 where c.id = m.conversation_id and private.search_language_for_locale(v.locale) <> 'simple';

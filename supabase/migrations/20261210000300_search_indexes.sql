-- Inbox search indexes (issue 24, ADR 0020): words of messages (full text, GIN), fragments and typos of visitors'
-- names and emails (trigrams, GIN), and a company's messages newest first (so a common word is found by reading
-- the newest messages instead of every match). The last replaces the plain company_id index, which it covers:
-- the send path keeps the same number of indexes on messages plus the one search index.

create index messages_search_idx on public.messages using gin (search_vector);
create index messages_company_created_idx on public.messages (company_id, created_at desc, id desc);
drop index public.messages_company_id_idx;

-- One expression for name and email: one index to maintain, one condition to search.
create function private.visitor_search_text(p_name text, p_email text) returns text
language sql immutable parallel safe as $$
  select pg_catalog.lower(coalesce(p_name, '') || ' ' || coalesce(p_email, ''))
$$;
comment on function private.visitor_search_text(text, text) is 'A visitor''s name and email as inbox search matches them (lower case, one string).';
revoke all on function private.visitor_search_text(text, text) from public, anon;
grant execute on function private.visitor_search_text(text, text) to authenticated, service_role;

create index visitors_search_trgm_idx on public.visitors using gin (private.visitor_search_text(name, email) extensions.gin_trgm_ops);

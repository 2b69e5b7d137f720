-- Inbox search gains the inbox's platform filter (widget, Messenger, Instagram; issue 23 left it out). A new
-- parameter changes the signature, so the function is dropped and created again rather than overloaded
-- (PostgREST cannot choose between overloads that differ by a defaulted argument). Otherwise unchanged from
-- 20261210000400_search_conversations.sql; ADR 0020 explains the body.

drop function public.search_conversations(uuid, text, public.conversation_status, uuid, boolean, timestamptz, timestamptz, uuid[], int, timestamptz, uuid, int);

create function public.search_conversations(
  p_company_id uuid,
  p_query text,
  p_status public.conversation_status default null,
  p_assignee_id uuid default null,
  p_unassigned boolean default false,
  p_from timestamptz default null,
  p_to timestamptz default null,
  p_label_ids uuid[] default null,
  p_platform public.conversation_platform default null,
  p_after_tier int default null,
  p_after_at timestamptz default null,
  p_after_id uuid default null,
  p_limit int default 25
) returns table (
  id uuid,
  tier int,
  matched text,
  snippet text,
  status public.conversation_status,
  assignee_id uuid,
  platform public.conversation_platform,
  unread_count int,
  last_message_at timestamptz,
  last_message_preview text,
  updated_at timestamptz,
  visitor_last_read_message_id uuid,
  visitor_id uuid,
  visitor_name text,
  visitor_email text
)
-- Security definer, scoped by hand: under RLS, Postgres may not evaluate a non-leakproof operator (`@@`, `like`)
-- before the policy, so the word and trigram indexes go unused (a scan of every message). Membership is checked
-- first with the same private helper the policies use, and every table read below is filtered to that company.
language plpgsql stable security definer
-- A fresh plan per call: how many messages a word matches decides between the word index and reading newest first.
set plan_cache_mode = force_custom_plan
set search_path = '' as $$
declare
  q text := btrim(left(coalesce(p_query, ''), 200));
  whole tsquery;
  partial tsquery;
  fragment text;
  hit_ids uuid[];
  window_start timestamptz;
  found int;
  lim int := least(greatest(coalesce(p_limit, 25), 1), 100);
begin
  -- Agents only: a visitor may read their own conversation, but searching is the inbox's, not theirs.
  if q = '' or not private.is_company_member(p_company_id) then
    return;
  end if;
  whole := private.search_tsquery(q, false);
  partial := private.search_tsquery(q, true);
  fragment := '%' || replace(replace(replace(lower(q), '\', '\\'), '%', '\%'), '_', '\_') || '%';
  -- The newest 200 matching messages are ranked, found in widening windows of the company's newest messages so
  -- that no step fetches more than a few thousand rows: a common word within the newest 5,000 (read newest
  -- first, bounded); a word of a few per mille or per cent within a window sized by how often it was seen there
  -- (the word index ANDed with the time index); a rare word anywhere (the word index; `is true` keeps the planner off the btree, see ADR 0020).
  -- Left to itself the planner read 57,000 rows newest first for a 0.35 % word (150 ms): it prices `@@` as `=`.
  if partial is not null then
    select array_agg(x.id order by x.created_at desc, x.id desc) into hit_ids
      from (select r.id, r.created_at
              from (select m.id, m.created_at, m.search_vector from public.messages m
                     where m.company_id = p_company_id
                       and (p_from is null or m.created_at >= p_from) and (p_to is null or m.created_at < p_to)
                     order by m.created_at desc, m.id desc
                     limit 5000) r
             where r.search_vector @@ partial
             order by r.created_at desc, r.id desc
             limit 200) x;
    -- k of the newest 5,000 matched: 200 are expected within the newest 200 × 5,000 / k (twice that, to be safe).
    -- Below 20 (0.4 %) the word index alone fetches fewer rows than that window would read.
    found := coalesce(cardinality(hit_ids), 0);
    if found between 20 and 199 then
      select m.created_at into window_start from public.messages m
       where m.company_id = p_company_id and (p_to is null or m.created_at < p_to)
       order by m.created_at desc, m.id desc offset (2 * 200 * 5000 / found) limit 1;
      if window_start is not null and (p_from is null or window_start > p_from) then
        select array_agg(x.id order by x.created_at desc, x.id desc) into hit_ids
          from (select m.id, m.created_at from public.messages m
                 where m.search_vector @@ partial and m.company_id = p_company_id
                   and m.created_at >= window_start and (p_to is null or m.created_at < p_to)
                 order by m.created_at desc, m.id desc
                 limit 200) x;
      end if;
    end if;
    if coalesce(cardinality(hit_ids), 0) < 200 then
      select array_agg(x.id order by x.created_at desc, x.id desc) into hit_ids
        from (select m.id, m.created_at from public.messages m
               where m.search_vector @@ partial and (m.company_id = p_company_id) is true
                 and (p_from is null or m.created_at >= p_from) and (p_to is null or m.created_at < p_to)
               order by m.created_at desc, m.id desc
               limit 200) x;
    end if;
  end if;
  return query
  with message_hits as materialized (
    select m.conversation_id, m.body, m.search_language,
           case when m.search_vector @@ whole then 2 else 1 end as tier
      from public.messages m
     where m.id = any(coalesce(hit_ids, '{}'))
  ), visitor_hits as materialized (
    select v.id as visitor_id, 3 as tier
      from public.visitors v
     where v.company_id = p_company_id and private.visitor_search_text(v.name, v.email) like fragment
     limit 500
  ), typo_hits as materialized (
    -- A misspelt name or email only when nothing contains the query as typed: similarity reads many more rows.
    select v.id as visitor_id, 1 as tier
      from public.visitors v
     where not exists (select 1 from visitor_hits) and not exists (select 1 from message_hits)
       and v.company_id = p_company_id and lower(q) operator(extensions.<%) private.visitor_search_text(v.name, v.email)
     limit 100
  ), hits as (
    select h.conversation_id, h.tier, 'message'::text as matched, h.body, h.search_language from message_hits h
    union all
    select c.id, vh.tier, 'visitor', null, null
      from (select * from visitor_hits union all select * from typo_hits) vh join public.conversations c on c.visitor_id = vh.visitor_id
  ), best as (
    -- A conversation's best hit; among equal tiers a message (it has a snippet to show).
    select distinct on (h.conversation_id) h.*
      from hits h
     order by h.conversation_id, h.tier desc, (h.body is not null) desc
  ), page as (
    select c.*, b.tier, b.matched, b.body, b.search_language
      from best b join public.conversations c on c.id = b.conversation_id
     where c.company_id = p_company_id
       and (p_status is null or c.status = p_status)
       and (p_assignee_id is null or c.assignee_id = p_assignee_id)
       and (not p_unassigned or c.assignee_id is null)
       and (b.matched = 'message' or p_from is null or c.last_message_at >= p_from)
       and (b.matched = 'message' or p_to is null or c.last_message_at < p_to)
       -- Carrying any of the labels asked for (public.conversation_labels, 20261206000100_labels.sql).
       and (p_label_ids is null or exists (select 1 from public.conversation_labels cl
                                            where cl.conversation_id = c.id and cl.label_id = any(p_label_ids)))
       and (p_platform is null or c.platform = p_platform)
       and (p_after_tier is null or (b.tier, c.last_message_at, c.id) < (p_after_tier, p_after_at, p_after_id))
     order by b.tier desc, c.last_message_at desc, c.id desc
     limit lim
  )
  select p.id, p.tier, p.matched, private.search_snippet(p.search_language, p.body, partial),
         p.status, p.assignee_id, p.platform, p.unread_count, p.last_message_at, p.last_message_preview, p.updated_at,
         p.visitor_last_read_message_id, p.visitor_id, v.name, v.email
    from page p
    -- Lateral with a limit: 25 lookups by primary key, never a hash of the company's visitors.
    left join lateral (select vv.name, vv.email from public.visitors vv where vv.id = p.visitor_id limit 1) v on true
   order by p.tier desc, p.last_message_at desc, p.id desc;
end;
$$;
comment on function public.search_conversations(uuid, text, public.conversation_status, uuid, boolean, timestamptz, timestamptz, uuid[], public.conversation_platform, int, timestamptz, uuid, int) is
  'Inbox search for a member of the company (anyone else gets no rows): conversations whose visitor''s name or email contains the query (tier 3) or, when nothing else matches, resembles it (1) or whose messages contain its words (2) or word prefixes and stems (1), best tier then newest activity first, with a marked snippet; filters: status, assignee, date range, labels (any of), platform; keyset after (tier, last_message_at, id).';
revoke all on function public.search_conversations(uuid, text, public.conversation_status, uuid, boolean, timestamptz, timestamptz, uuid[], public.conversation_platform, int, timestamptz, uuid, int) from public, anon;
grant execute on function public.search_conversations(uuid, text, public.conversation_status, uuid, boolean, timestamptz, timestamptz, uuid[], public.conversation_platform, int, timestamptz, uuid, int) to authenticated, service_role;

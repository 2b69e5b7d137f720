-- "Typically replies in N minutes" (issue 18): the company's real median first-response time of the last 7 days,
-- computed in SQL and kept for 10 minutes per company, so a page view costs an index read, not a scan.
--
-- First response of a conversation = its first agent message after its first visitor message (bot and system
-- messages do not count). Conversations whose first visitor message is in the last 7 days and that got an answer
-- are the sample; with fewer than 5 of them the figure is hidden (null), since one slow night would speak for
-- the whole team. Unanswered conversations are left out of the median: they have no time yet.

create table public.company_reply_times (
  company_id uuid primary key references public.companies(id) on delete cascade,
  median_seconds int,
  samples int not null,
  computed_at timestamptz not null default now()
);
comment on table public.company_reply_times is 'Cache of each company''s median first-response time over the last 7 days (private.reply_time_of); refreshed after 10 minutes.';
comment on column public.company_reply_times.company_id is 'The company.';
comment on column public.company_reply_times.median_seconds is 'Median seconds from a conversation''s first visitor message to the first agent reply; null with fewer than 5 samples.';
comment on column public.company_reply_times.samples is 'Answered conversations in the window.';
comment on column public.company_reply_times.computed_at is 'When it was computed.';
alter table public.company_reply_times enable row level security;
-- No policy, no grant to the API roles: only the definer functions below read and write it.

create function private.reply_time_of(p_company_id uuid, p_since timestamptz) returns table (median_seconds int, samples int)
language sql stable security definer set search_path = '' as $$
  with firsts as (
    select c.id,
      (select min(m.created_at) from public.messages m where m.conversation_id = c.id and m.sender_kind = 'visitor') asked
    from public.conversations c
    where c.company_id = p_company_id and c.last_message_at >= p_since
  ), answered as (
    select extract(epoch from (select min(m.created_at) from public.messages m
                               where m.conversation_id = f.id and m.sender_kind = 'agent' and m.created_at > f.asked) - f.asked) secs
    from firsts f where f.asked >= p_since
  )
  select case when count(secs) >= 5 then round(percentile_cont(0.5) within group (order by secs))::int end, count(secs)::int
  from answered where secs is not null
$$;
comment on function private.reply_time_of(uuid, timestamptz) is
  'Median first-response seconds of a company''s conversations first asked since p_since (null below 5 answered), and the sample size.';
revoke all on function private.reply_time_of(uuid, timestamptz) from public, anon, authenticated;

-- The cached figure in whole minutes (at least 1), or null when hidden. Service role (widget-config) only.
create function public.widget_typical_reply_minutes(p_company_id uuid) returns int
language plpgsql security definer set search_path = '' as $$
declare
  cached public.company_reply_times;
begin
  select * into cached from public.company_reply_times t where t.company_id = p_company_id;
  if cached.company_id is null or cached.computed_at < now() - interval '10 minutes' then
    insert into public.company_reply_times as t (company_id, median_seconds, samples, computed_at)
      select p_company_id, r.median_seconds, r.samples, now() from private.reply_time_of(p_company_id, now() - interval '7 days') r
    on conflict (company_id) do update set median_seconds = excluded.median_seconds, samples = excluded.samples, computed_at = excluded.computed_at
    returning * into cached;
  end if;
  return case when cached.median_seconds is null then null else greatest(1, ceil(cached.median_seconds / 60.0))::int end;
end;
$$;
comment on function public.widget_typical_reply_minutes(uuid) is
  'The company''s typical reply time in minutes for the widget header (median first response, last 7 days, cached 10 minutes); null when there is too little data. Service role only.';
revoke all on function public.widget_typical_reply_minutes(uuid) from public, anon, authenticated;
grant execute on function public.widget_typical_reply_minutes(uuid) to service_role;

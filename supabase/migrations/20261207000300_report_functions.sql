-- The reports page's figures (issue 21, ADR 0016), computed in SQL over conversation_timings and
-- conversation_ratings. Security invoker: the caller's RLS applies, so a member of another company gets nothing;
-- the company argument picks one of the caller's companies and is also what the index is read by.
-- Ranges are whole days [p_from, p_to] in p_time_zone (the heatmap and the days too); a conversation belongs to
-- the day it started. p_label_id (optional) keeps the conversations that carry that label (conversation_labels,
-- its primary key; RLS applies there too). Seconds are whole (rounded); medians and p90 are percentile_cont (linear interpolation).

-- A day's first instant in a time zone. Immutable and without a SET clause, so the planner inlines it and, with
-- the arguments known, folds it to a constant: range estimates then see the real bounds.
create function private.report_start(p_day date, p_time_zone text) returns timestamptz
language sql immutable as $$
  select p_day::timestamp at time zone p_time_zone
$$;
comment on function private.report_start(date, text) is 'The first instant of a day in a time zone (a report range is [start of p_from, start of p_to + 1)).';
grant execute on function private.report_start(date, text) to authenticated, service_role;

create function public.report_conversations_per_day(p_company_id uuid, p_from date, p_to date, p_time_zone text default 'UTC', p_label_id uuid default null)
returns table (day date, conversations int, resolved int)
language sql stable security invoker set search_path = '' as $$
  with per_day as (
    select (t.started_at at time zone p_time_zone)::date d, count(*)::int n, count(t.resolved_at)::int r
      from public.conversation_timings t
     where t.company_id = p_company_id and t.started_at >= private.report_start(p_from, p_time_zone) and t.started_at < private.report_start(p_to + 1, p_time_zone)
       and (p_label_id is null or exists (select 1 from public.conversation_labels l where l.conversation_id = t.conversation_id and l.label_id = p_label_id))
     group by 1)
  select g::date, coalesce(p.n, 0), coalesce(p.r, 0)
    from generate_series(p_from::timestamp, p_to::timestamp, interval '1 day') g
    left join per_day p on p.d = g::date
   order by 1
$$;
comment on function public.report_conversations_per_day(uuid, date, date, text, uuid) is
  'Conversations started per day of the range (and how many of them are resolved), zero days included; RLS applies.';

create function public.report_response_times(p_company_id uuid, p_from date, p_to date, p_time_zone text default 'UTC', p_label_id uuid default null)
returns table (conversations int, answered int, first_response_median_seconds int, first_response_p90_seconds int,
               resolved int, resolution_median_seconds int)
language sql stable security invoker set search_path = '' as $$
  with t as (
    select extract(epoch from t.first_response_at - t.first_visitor_message_at) fr, extract(epoch from t.resolved_at - t.started_at) rs
      from public.conversation_timings t
     where t.company_id = p_company_id and t.started_at >= private.report_start(p_from, p_time_zone) and t.started_at < private.report_start(p_to + 1, p_time_zone)
       and (p_label_id is null or exists (select 1 from public.conversation_labels l where l.conversation_id = t.conversation_id and l.label_id = p_label_id)))
  select count(*)::int, count(fr)::int,
         round(percentile_cont(0.5) within group (order by fr))::int, round(percentile_cont(0.9) within group (order by fr))::int,
         count(rs)::int, round(percentile_cont(0.5) within group (order by rs))::int
    from t
$$;
comment on function public.report_response_times(uuid, date, date, text, uuid) is
  'First-response median and p90 (first visitor message to first agent reply) and resolution median (start to resolved), in seconds, of the conversations started in the range; RLS applies.';

create function public.report_csat(p_company_id uuid, p_from date, p_to date, p_time_zone text default 'UTC', p_label_id uuid default null)
returns table (scale public.rating_scale, score int, ratings int, satisfied boolean)
language sql stable security invoker set search_path = '' as $$
  select r.scale, r.score::int, count(*)::int, private.rating_satisfied(r.scale, r.score)
    from public.conversation_timings t
    join public.conversation_ratings r on r.conversation_id = t.conversation_id
   where t.company_id = p_company_id and t.started_at >= private.report_start(p_from, p_time_zone) and t.started_at < private.report_start(p_to + 1, p_time_zone)
       and (p_label_id is null or exists (select 1 from public.conversation_labels l where l.conversation_id = t.conversation_id and l.label_id = p_label_id)) and r.company_id = p_company_id
   group by r.scale, r.score
   order by r.scale, r.score
$$;
comment on function public.report_csat(uuid, date, date, text, uuid) is
  'Rating distribution (scale, score, count, whether it counts as satisfied) of the conversations started in the range; RLS applies.';

create function public.report_csat_score(p_company_id uuid, p_from date, p_to date, p_time_zone text default 'UTC', p_label_id uuid default null)
returns table (ratings int, satisfied int, score_percent numeric)
language sql stable security invoker set search_path = '' as $$
  select coalesce(sum(c.ratings), 0)::int, coalesce(sum(c.ratings) filter (where c.satisfied), 0)::int,
         round(100.0 * sum(c.ratings) filter (where c.satisfied) / nullif(sum(c.ratings), 0), 1)
    from public.report_csat(p_company_id, p_from, p_to, p_time_zone, p_label_id) c
$$;
comment on function public.report_csat_score(uuid, date, date, text, uuid) is
  'CSAT: the share of satisfied ratings (4-5 stars, thumb up) in percent, one decimal; null without ratings; RLS applies.';

create function public.report_busy_hours(p_company_id uuid, p_from date, p_to date, p_time_zone text default 'UTC', p_label_id uuid default null)
returns table (weekday int, hour int, conversations int)
language sql stable security invoker set search_path = '' as $$
  select extract(isodow from t.started_at at time zone p_time_zone)::int, extract(hour from t.started_at at time zone p_time_zone)::int, count(*)::int
    from public.conversation_timings t
   where t.company_id = p_company_id and t.started_at >= private.report_start(p_from, p_time_zone) and t.started_at < private.report_start(p_to + 1, p_time_zone)
       and (p_label_id is null or exists (select 1 from public.conversation_labels l where l.conversation_id = t.conversation_id and l.label_id = p_label_id))
   group by 1, 2
   order by 1, 2
$$;
comment on function public.report_busy_hours(uuid, date, date, text, uuid) is
  'Conversations started per weekday (ISO: 1 Monday … 7 Sunday) and hour in the time zone; only non-empty cells; RLS applies.';

create function public.report_agents(p_company_id uuid, p_from date, p_to date, p_time_zone text default 'UTC', p_label_id uuid default null)
returns table (agent_id uuid, display_name text, assigned int, resolved int, first_responses int,
               first_response_median_seconds int, ratings int, csat_percent numeric)
language sql stable security invoker set search_path = '' as $$
  with t as (
    select t.assignee_id, t.first_responder_id, t.resolved_at,
           extract(epoch from t.first_response_at - t.first_visitor_message_at) fr, r.scale, r.score
      from public.conversation_timings t
      left join public.conversation_ratings r on r.conversation_id = t.conversation_id and r.company_id = p_company_id
     where t.company_id = p_company_id and t.started_at >= private.report_start(p_from, p_time_zone) and t.started_at < private.report_start(p_to + 1, p_time_zone)
       and (p_label_id is null or exists (select 1 from public.conversation_labels l where l.conversation_id = t.conversation_id and l.label_id = p_label_id))),
  by_assignee as (
    select assignee_id id, count(*)::int n, count(resolved_at)::int res, count(score)::int rated,
           round(100.0 * count(*) filter (where private.rating_satisfied(scale, score)) / nullif(count(score), 0), 1) csat
      from t where assignee_id is not null group by assignee_id),
  by_responder as (
    select first_responder_id id, count(*)::int n, round(percentile_cont(0.5) within group (order by fr))::int med
      from t where first_responder_id is not null and fr is not null group by first_responder_id)
  select m.user_id, m.display_name, coalesce(a.n, 0), coalesce(a.res, 0), coalesce(f.n, 0), f.med, coalesce(a.rated, 0), a.csat
    from public.company_members m
    left join by_assignee a on a.id = m.user_id
    left join by_responder f on f.id = m.user_id
   where m.company_id = p_company_id
   order by coalesce(a.n, 0) desc, m.display_name
$$;
comment on function public.report_agents(uuid, date, date, text, uuid) is
  'Per member: conversations assigned (started in the range), resolved, first responses and their median, ratings and CSAT of the assigned ones; RLS applies.';

create function public.report_conversations(p_company_id uuid, p_from date, p_to date, p_time_zone text default 'UTC',
  p_label_id uuid default null, p_after_started_at timestamptz default null, p_after_id uuid default null, p_limit int default 1000)
returns table (id uuid, started_at timestamptz, status public.conversation_status, platform public.conversation_platform,
               visitor_name text, visitor_email text, assignee_name text, first_response_seconds int, resolution_seconds int,
               rating_scale public.rating_scale, rating_score int, rating_comment text)
language sql stable security invoker set search_path = '' as $$
  -- The page first, in index order (the limit stops the scan), then its rows' joins by key.
  with page as (
    select t.* from public.conversation_timings t
     where t.company_id = p_company_id and t.started_at >= private.report_start(p_from, p_time_zone) and t.started_at < private.report_start(p_to + 1, p_time_zone)
       and (p_label_id is null or exists (select 1 from public.conversation_labels l where l.conversation_id = t.conversation_id and l.label_id = p_label_id))
       and (p_after_started_at is null or (t.started_at, t.conversation_id) > (p_after_started_at, p_after_id))
     order by t.started_at, t.conversation_id
     limit least(greatest(p_limit, 1), 5000))
  select c.id, t.started_at, c.status, c.platform, v.name, v.email, m.display_name,
         round(extract(epoch from t.first_response_at - t.first_visitor_message_at))::int,
         round(extract(epoch from t.resolved_at - t.started_at))::int, r.scale, r.score::int, r.comment
    from page t
    join public.conversations c on c.id = t.conversation_id and c.company_id = p_company_id
    join public.visitors v on v.id = c.visitor_id
    left join public.company_members m on m.company_id = c.company_id and m.user_id = c.assignee_id
    left join public.conversation_ratings r on r.conversation_id = t.conversation_id and r.company_id = p_company_id
   order by t.started_at, t.conversation_id
$$;
comment on function public.report_conversations(uuid, date, date, text, uuid, timestamptz, uuid, int) is
  'A page of the conversations started in the range with their figures, oldest first, after the keyset (started_at, id), at most p_limit (≤ 5000) rows: the CSV export; RLS applies.';

revoke all on function public.report_conversations_per_day(uuid, date, date, text, uuid), public.report_response_times(uuid, date, date, text, uuid),
  public.report_csat(uuid, date, date, text, uuid), public.report_csat_score(uuid, date, date, text, uuid), public.report_busy_hours(uuid, date, date, text, uuid),
  public.report_agents(uuid, date, date, text, uuid), public.report_conversations(uuid, date, date, text, uuid, timestamptz, uuid, int) from public, anon;
grant execute on function public.report_conversations_per_day(uuid, date, date, text, uuid), public.report_response_times(uuid, date, date, text, uuid),
  public.report_csat(uuid, date, date, text, uuid), public.report_csat_score(uuid, date, date, text, uuid), public.report_busy_hours(uuid, date, date, text, uuid),
  public.report_agents(uuid, date, date, text, uuid), public.report_conversations(uuid, date, date, text, uuid, timestamptz, uuid, int) to authenticated, service_role;

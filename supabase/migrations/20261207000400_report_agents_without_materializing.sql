-- report_agents, faster (issue 21, ADR 0016): its one CTE over the range was materialized, sorted and scanned twice
-- (p95 117 ms at 100,000 conversations under load); two single-use CTEs are planned inline over the timings index.
-- Same signature, result and meaning as in 20261207000300_report_functions.sql.

create or replace function public.report_agents(p_company_id uuid, p_from date, p_to date, p_time_zone text default 'UTC', p_label_id uuid default null)
returns table (agent_id uuid, display_name text, assigned int, resolved int, first_responses int,
               first_response_median_seconds int, ratings int, csat_percent numeric)
language sql stable security invoker set search_path = '' as $$
  -- Two grouped reads of the range (each used once, so planned inline, no materialized intermediate).
  with by_assignee as (
    select t.assignee_id id, count(*)::int n, count(t.resolved_at)::int res, count(r.score)::int rated,
           round(100.0 * count(*) filter (where private.rating_satisfied(r.scale, r.score)) / nullif(count(r.score), 0), 1) csat
      from public.conversation_timings t
      left join public.conversation_ratings r on r.conversation_id = t.conversation_id and r.company_id = p_company_id
     where t.company_id = p_company_id and t.started_at >= private.report_start(p_from, p_time_zone) and t.started_at < private.report_start(p_to + 1, p_time_zone)
       and (p_label_id is null or exists (select 1 from public.conversation_labels l where l.conversation_id = t.conversation_id and l.label_id = p_label_id))
       and t.assignee_id is not null
     group by t.assignee_id),
  by_responder as (
    select t.first_responder_id id, count(*)::int n,
           round(percentile_cont(0.5) within group (order by extract(epoch from t.first_response_at - t.first_visitor_message_at)))::int med
      from public.conversation_timings t
     where t.company_id = p_company_id and t.started_at >= private.report_start(p_from, p_time_zone) and t.started_at < private.report_start(p_to + 1, p_time_zone)
       and (p_label_id is null or exists (select 1 from public.conversation_labels l where l.conversation_id = t.conversation_id and l.label_id = p_label_id))
       and t.first_responder_id is not null and t.first_response_at is not null
     group by t.first_responder_id)
  select m.user_id, m.display_name, coalesce(a.n, 0), coalesce(a.res, 0), coalesce(f.n, 0), f.med, coalesce(a.rated, 0), a.csat
    from public.company_members m
    left join by_assignee a on a.id = m.user_id
    left join by_responder f on f.id = m.user_id
   where m.company_id = p_company_id
   order by coalesce(a.n, 0) desc, m.display_name
$$;
comment on function public.report_agents(uuid, date, date, text, uuid) is
  'Per member: conversations assigned (started in the range), resolved, first responses and their median, ratings and CSAT of the assigned ones; RLS applies.';

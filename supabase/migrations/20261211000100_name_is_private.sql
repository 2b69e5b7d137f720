-- Names messages.is_private where the email and report SQL read it through to_jsonb (their migrations were
-- written before the private-notes column landed, ADR 0015). Same behaviour, a plain column read: the planner
-- sees the predicate, and a rename of the column now fails here instead of silently letting notes through.

create or replace function private.follow_up_candidates(p_conversation_id uuid) returns table (message_id uuid, created_at timestamptz)
language sql stable security definer set search_path = '' as $$
  select m.id, m.created_at
    from public.conversations c
    join public.messages m on m.conversation_id = c.id
    left join public.messages seen on seen.id = c.visitor_last_read_message_id
   where c.id = p_conversation_id
     and m.sender_kind in ('agent', 'bot')
     and not m.is_private -- never a note (ADR 0015)
     and (seen.id is null or (m.created_at, m.id) > (seen.created_at, seen.id))
     and not exists (select 1 from public.visitor_email_messages e where e.message_id = m.id)
$$;

create or replace function public.email_job_claim(p_secret text, p_now timestamptz default now(), p_limit int default 20) returns jsonb
language plpgsql security definer set search_path = '' as $$
declare
  result jsonb;
begin
  perform private.check_job_secret(p_secret);
  with due as (
    select e.id from public.visitor_emails e
     where e.status = 'queued' and e.next_attempt_at <= p_now
     order by e.next_attempt_at, e.id
     limit least(greatest(p_limit, 1), 100)
     for update skip locked
  ), leased as (
    update public.visitor_emails e set attempts = e.attempts + 1, next_attempt_at = p_now + interval '2 minutes'
      from due where e.id = due.id
    returning e.*
  )
  select coalesce(jsonb_agg(jsonb_build_object(
      'id', l.id, 'kind', l.kind, 'to', l.to_email, 'attempt', l.attempts,
      'company', co.name, 'replyTo', co.email_reply_to, 'pageUrl', c.started_page_url,
      'token', private.continuity_token(l.id, l.created_at + interval '7 days'),
      'messages', (select coalesce(jsonb_agg(jsonb_build_object('sender', m.sender_kind, 'author', m.author_name,
                      'body', m.body, 'at', m.created_at) order by m.created_at, m.id), '[]')
                     from public.messages m
                    where m.conversation_id = l.conversation_id
                      and not m.is_private -- never a note (ADR 0015)
                      and case when l.kind = 'follow_up'
                               then m.id in (select x.message_id from public.visitor_email_messages x where x.email_id = l.id)
                               else m.sender_kind in ('visitor', 'agent', 'bot') end)
    ) order by l.next_attempt_at, l.id), '[]')
    into result
    from leased l
    join public.companies co on co.id = l.company_id
    join public.conversations c on c.id = l.conversation_id;
  return result;
end;
$$;

create or replace function private.recompute_conversation_timings(p_company_id uuid) returns void
language sql security definer set search_path = '' as $$
  insert into public.conversation_timings as t (conversation_id, company_id, started_at, first_visitor_message_at, first_response_at, first_responder_id, resolved_at, assignee_id)
  select c.id, c.company_id, c.created_at, case when fr.created_at is not null then fv.at end, fr.created_at, fr.author_id, case when c.status = 'resolved' then c.updated_at end, c.assignee_id
    from public.conversations c
    left join lateral (select min(m.created_at) at from public.messages m where m.conversation_id = c.id and m.sender_kind = 'visitor') fv on true
    left join lateral (select m.created_at, m.author_id from public.messages m
                        where m.conversation_id = c.id and m.sender_kind = 'agent' and m.created_at > fv.at
                          and not m.is_private
                        order by m.created_at limit 1) fr on true
   where p_company_id is null or c.company_id = p_company_id
  on conflict (conversation_id) do update set started_at = excluded.started_at,
    first_visitor_message_at = excluded.first_visitor_message_at, first_response_at = excluded.first_response_at,
    first_responder_id = excluded.first_responder_id, resolved_at = excluded.resolved_at, assignee_id = excluded.assignee_id
$$;

drop trigger messages_timings on public.messages;
create trigger messages_timings after insert on public.messages
  for each row when (new.sender_kind = 'agent' and not new.is_private)
  execute function private.conversation_timings_message();
comment on trigger messages_timings on public.messages is 'First response and first visitor message times (reports); private notes do not count.';

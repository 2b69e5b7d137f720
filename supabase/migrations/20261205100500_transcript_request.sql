-- A transcript by email on request (issue 19, ADR 0014): the visitor of a resolved conversation who left an email
-- asks for it through widget-transcript; it is queued as a visitor_emails row (kind transcript) and sent at once
-- by a kick of the email job. Idempotent: a second request within ten minutes answers the first one.

create function public.widget_request_transcript(p_widget_key text, p_origin text, p_user_id uuid, p_conversation_id uuid,
  p_now timestamptz default now()) returns jsonb
language plpgsql security definer set search_path = '' as $$
declare
  company uuid;
  conv public.conversations;
  address text;
  existing public.visitor_emails;
  email_id uuid;
begin
  company := private.widget_company(p_widget_key, p_origin);
  select c.* into conv from public.conversations c join public.visitors v on v.id = c.visitor_id
   where c.id = p_conversation_id and c.company_id = company and v.user_id = p_user_id
   for update of c;
  if conv.id is null then
    raise exception 'conversation_not_found' using errcode = 'PLC04';
  end if;
  select v.email into address from public.visitors v where v.id = conv.visitor_id;
  if conv.status <> 'resolved' or address is null then
    raise exception 'transcript_unavailable' using errcode = 'PLE22',
      detail = 'a transcript is sent for a resolved conversation to a visitor who left an email';
  end if;
  select * into existing from public.visitor_emails e
   where e.conversation_id = conv.id and e.kind = 'transcript' and e.created_at > p_now - interval '10 minutes'
   order by e.created_at desc limit 1;
  if existing.id is not null then
    return jsonb_build_object('id', existing.id, 'status', existing.status, 'created', false);
  end if;
  insert into public.visitor_emails (company_id, conversation_id, kind, to_email, next_attempt_at, created_at)
  values (conv.company_id, conv.id, 'transcript', address, p_now, p_now)
  returning id into email_id;
  perform private.run_email_job(p_now);
  return jsonb_build_object('id', email_id, 'status', 'queued', 'created', true);
end;
$$;
comment on function public.widget_request_transcript(text, text, uuid, uuid, timestamptz) is
  'Queues (once per ten minutes) the transcript email of the visitor''s resolved conversation and kicks the email job; refusals raise PLW04/PLC04/PLE22 (service role only).';
revoke all on function public.widget_request_transcript(text, text, uuid, uuid, timestamptz) from public, anon, authenticated;
grant execute on function public.widget_request_transcript(text, text, uuid, uuid, timestamptz) to service_role;

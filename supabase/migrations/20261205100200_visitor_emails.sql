-- Emails to visitors (issue 19, ADR 0014): one row per email with its visible state, and which replies each
-- follow-up carried. The row's id is the Idempotency-Key of the send, so a retry after a crash between the
-- provider's answer and our mark is answered by the provider with the first send, not a second mail.
--
--   * Exactly once: a reply can be in one follow-up only (unique message_id), the enqueue that puts it there is
--     idempotent (it takes the conversation lock and skips replies already carried), and a sent email is final.
--   * Never a private note: the follow-up carries only sender_kind in ('agent', 'bot') and never a row with
--     is_private (ADR 0015), in one predicate (private.follow_up_candidates); the transcript filters the same way.
--   * Agents of the company read the states (the conversation view); nobody else reads or writes them but the
--     definer functions below and the service role.

create type public.visitor_email_kind as enum ('follow_up', 'transcript');
comment on type public.visitor_email_kind is 'Why a visitor was emailed: unseen replies, or the transcript they asked for.';
create type public.visitor_email_status as enum ('queued', 'sent', 'failed');
comment on type public.visitor_email_status is 'queued (waiting or retrying), sent (the provider accepted it), failed (gave up; see last_error).';

create table public.visitor_emails (
  id uuid primary key default gen_random_uuid(),
  company_id uuid not null references public.companies(id) on delete cascade,
  conversation_id uuid not null references public.conversations(id) on delete cascade,
  kind public.visitor_email_kind not null,
  to_email text not null check (char_length(to_email) <= 254),
  status public.visitor_email_status not null default 'queued',
  attempts int not null default 0 check (attempts >= 0),
  next_attempt_at timestamptz not null default now(),
  last_error text check (char_length(last_error) <= 500),
  provider_id text check (char_length(provider_id) <= 200),
  created_at timestamptz not null default now(),
  sent_at timestamptz
);
create index visitor_emails_conversation_idx on public.visitor_emails (conversation_id, created_at);
create index visitor_emails_due_idx on public.visitor_emails (next_attempt_at) where status = 'queued';
comment on table public.visitor_emails is 'An email to a visitor (follow-up of unseen replies or a transcript) and its delivery state.';
comment on column public.visitor_emails.id is 'Email id; also the Idempotency-Key of every send attempt.';
comment on column public.visitor_emails.company_id is 'The company sending it.';
comment on column public.visitor_emails.conversation_id is 'The conversation it is about.';
comment on column public.visitor_emails.kind is 'follow_up or transcript.';
comment on column public.visitor_emails.to_email is 'The visitor''s address when it was queued.';
comment on column public.visitor_emails.status is 'queued, sent or failed.';
comment on column public.visitor_emails.attempts is 'Send attempts so far.';
comment on column public.visitor_emails.next_attempt_at is 'Earliest time of the next attempt (backoff after a failure).';
comment on column public.visitor_emails.last_error is 'Why the last attempt failed (shown to agents).';
comment on column public.visitor_emails.provider_id is 'The email API''s id of the sent email.';
comment on column public.visitor_emails.created_at is 'When it was queued.';
comment on column public.visitor_emails.sent_at is 'When the email API accepted it.';

create table public.visitor_email_messages (
  email_id uuid not null references public.visitor_emails(id) on delete cascade,
  message_id uuid not null unique references public.messages(id) on delete cascade,
  primary key (email_id, message_id)
);
comment on table public.visitor_email_messages is 'The replies a follow-up email carries; a reply is carried by one follow-up at most.';
comment on column public.visitor_email_messages.email_id is 'The follow-up email.';
comment on column public.visitor_email_messages.message_id is 'A reply it carries (unique: never emailed twice).';

alter table public.visitor_emails enable row level security;
alter table public.visitor_email_messages enable row level security;
revoke all on public.visitor_emails, public.visitor_email_messages from anon, authenticated;
create policy "members read their company's visitor emails" on public.visitor_emails
  for select to authenticated using (company_id in (select private.my_company_ids()));
grant select on public.visitor_emails to authenticated;
grant all on public.visitor_emails, public.visitor_email_messages to service_role;

-- Replies of agents and bots in one conversation the visitor has not seen and that no email carried yet (read
-- through messages_conversation_created_idx). The one place that decides what a follow-up may carry: a
-- private-note column, when it lands, is one more predicate here.
create function private.follow_up_candidates(p_conversation_id uuid) returns table (message_id uuid, created_at timestamptz)
language sql stable security definer set search_path = '' as $$
  select m.id, m.created_at
    from public.conversations c
    join public.messages m on m.conversation_id = c.id
    left join public.messages seen on seen.id = c.visitor_last_read_message_id
   where c.id = p_conversation_id
     and m.sender_kind in ('agent', 'bot')
     -- Never a private note (messages.is_private, ADR 0015, lands in a later migration: read through to_jsonb so
     -- this holds before and after that column exists; a missing column is no note).
     and not coalesce((to_jsonb(m) ->> 'is_private')::boolean, false)
     and (seen.id is null or (m.created_at, m.id) > (seen.created_at, seen.id))
     and not exists (select 1 from public.visitor_email_messages e where e.message_id = m.id)
$$;
comment on function private.follow_up_candidates(uuid) is 'A conversation''s agent and bot replies unseen by the visitor and not yet emailed (never a note, never twice).';
revoke all on function private.follow_up_candidates(uuid) from public, anon, authenticated;

-- Queues one follow-up per conversation whose oldest unseen, unemailed reply is older than the company's
-- follow_up_minutes at p_now, batching every such reply up to p_now. Idempotent: a second run finds nothing.
-- p_now is the clock (tests pass one; the scheduled job passes now()). Only conversations active in the last
-- seven days (the continuity link's lifetime) are looked at, each through its own messages' index.
create function private.enqueue_follow_ups(p_now timestamptz default now()) returns int
language plpgsql security definer set search_path = '' as $$
declare
  r record;
  email uuid;
  queued int := 0;
begin
  for r in
    select c.id, c.company_id, v.email, co.follow_up_minutes
      from public.conversations c
      join public.companies co on co.id = c.company_id and co.enabled
      join public.visitors v on v.id = c.visitor_id
     where c.last_message_at > p_now - interval '7 days' and c.platform = 'widget'
       and v.email is not null and v.email ~ '^[^@\s]+@[^@\s]+$'
     order by c.id
  loop
    -- Serialise with a concurrent run and with the visitor's read mark; decide under the lock.
    perform 1 from public.conversations where id = r.id for update;
    continue when not exists (select 1 from private.follow_up_candidates(r.id) f
                               where f.created_at <= p_now - make_interval(mins => r.follow_up_minutes));
    insert into public.visitor_emails (company_id, conversation_id, kind, to_email, next_attempt_at, created_at)
    values (r.company_id, r.id, 'follow_up', r.email, p_now, p_now)
    returning id into email;
    insert into public.visitor_email_messages (email_id, message_id)
    select email, f.message_id from private.follow_up_candidates(r.id) f where f.created_at <= p_now
    on conflict (message_id) do nothing;
    queued := queued + 1;
  end loop;
  return queued;
end;
$$;
comment on function private.enqueue_follow_ups(timestamptz) is 'Queues the follow-ups due at p_now (one per conversation, batching its unseen replies); idempotent.';
revoke all on function private.enqueue_follow_ups(timestamptz) from public, anon, authenticated;

-- The reports' per-conversation figures (issue 21), kept as the conversation goes so a report reads one row per
-- conversation instead of scanning its messages: when it started, when the visitor first wrote, when an agent
-- first answered after that (the definition of private.reply_time_of, issue 18) and by whom, when it was resolved,
-- and who it is assigned to (copied, so the per-agent report needs no join to conversations).
-- Own triggers only: the shared message and conversation triggers stay as they are; a visitor's send runs none.

create table public.conversation_timings (
  conversation_id uuid primary key references public.conversations(id) on delete cascade,
  company_id uuid not null references public.companies(id) on delete cascade,
  started_at timestamptz not null,
  first_visitor_message_at timestamptz,
  first_response_at timestamptz,
  first_responder_id uuid references auth.users(id) on delete set null,
  resolved_at timestamptz,
  assignee_id uuid references auth.users(id) on delete set null
);
-- Every report reads a company's conversations by start time; the CSV export pages on (started_at, conversation_id).
create index conversation_timings_company_started_idx on public.conversation_timings (company_id, started_at, conversation_id)
  include (first_visitor_message_at, first_response_at, resolved_at, first_responder_id, assignee_id);
comment on table public.conversation_timings is 'Per-conversation times the reports need, maintained by triggers (one row per conversation).';
comment on column public.conversation_timings.conversation_id is 'The conversation.';
comment on column public.conversation_timings.company_id is 'Copied from the conversation (RLS and indexes).';
comment on column public.conversation_timings.started_at is 'The conversation''s created_at.';
comment on column public.conversation_timings.first_visitor_message_at is 'Time of the visitor''s first message, recorded with the first response (null while unanswered).';
comment on column public.conversation_timings.first_response_at is 'Time of the first agent message after the visitor''s first message (bot and system messages do not count).';
comment on column public.conversation_timings.first_responder_id is 'The agent who wrote that first response.';
comment on column public.conversation_timings.resolved_at is 'When the conversation was last resolved; null while it is not resolved.';
comment on column public.conversation_timings.assignee_id is 'The conversation''s assignee now (copied from conversations.assignee_id).';

alter table public.conversation_timings enable row level security;
create policy "members read their company's conversation timings" on public.conversation_timings
  for select to authenticated using (company_id in (select private.my_company_ids()));
grant select on public.conversation_timings to authenticated;
grant all on public.conversation_timings to service_role;

create function private.conversation_timings_start() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  insert into public.conversation_timings (conversation_id, company_id, started_at, resolved_at, assignee_id)
    values (new.id, new.company_id, new.created_at, case when new.status = 'resolved' then now() end, new.assignee_id)
  on conflict (conversation_id) do nothing;
  return null;
end;
$$;
comment on function private.conversation_timings_start() is 'After a conversation is created: its timings row.';
revoke all on function private.conversation_timings_start() from public, anon, authenticated;
create trigger conversations_timings_start after insert on public.conversations
  for each row execute function private.conversation_timings_start();
comment on trigger conversations_timings_start on public.conversations is 'Starts the conversation''s timings row (reports).';

-- The first response: the first agent message after the visitor's first message. Only agent messages fire this
-- (a visitor's send keeps its statement budget, ADR 0003); the visitor's first message is looked up then, once,
-- while the conversation has no first response yet. An agent's private note (messages.is_private, issue 21's
-- notes) is no response: read through to_jsonb so this holds whichever of the two migrations a database got first.
create function private.conversation_timings_message() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  asked timestamptz;
begin
  perform 1 from public.conversation_timings t where t.conversation_id = new.conversation_id and t.first_response_at is null;
  if not found then
    return null;
  end if;
  select min(m.created_at) into asked from public.messages m where m.conversation_id = new.conversation_id and m.sender_kind = 'visitor';
  if asked < new.created_at then
    update public.conversation_timings t set first_visitor_message_at = asked, first_response_at = new.created_at, first_responder_id = new.author_id
     where t.conversation_id = new.conversation_id and t.first_response_at is null;
  end if;
  return null;
end;
$$;
comment on function private.conversation_timings_message() is 'After an agent message: the first response and the visitor''s first message before it, once.';
revoke all on function private.conversation_timings_message() from public, anon, authenticated;
create trigger messages_timings after insert on public.messages
  for each row when (new.sender_kind = 'agent' and (to_jsonb(new) ->> 'is_private') is distinct from 'true')
  execute function private.conversation_timings_message();
comment on trigger messages_timings on public.messages is 'First response and first visitor message times (reports); private notes do not count.';

-- Resolved: stamped when the status becomes resolved (by an agent or by anything else), cleared when it reopens.
-- Fires at any depth, so a visitor message that reopens a conversation clears it too. The assignee follows along.
create function private.conversation_timings_status() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  update public.conversation_timings t set
    assignee_id = new.assignee_id,
    resolved_at = case when new.status is not distinct from old.status then t.resolved_at
                       when new.status = 'resolved' then now() end
   where t.conversation_id = new.id;
  return null;
end;
$$;
comment on function private.conversation_timings_status() is 'After a status or assignee change: stamps or clears resolved_at, copies the assignee.';
revoke all on function private.conversation_timings_status() from public, anon, authenticated;
create trigger conversations_timings_status after update of status, assignee_id on public.conversations
  for each row when (old.assignee_id is distinct from new.assignee_id
                     or (old.status is distinct from new.status and (old.status = 'resolved' or new.status = 'resolved')))
  execute function private.conversation_timings_status();
comment on trigger conversations_timings_status on public.conversations is 'resolved_at follows the status, assignee_id the assignee (reports).';

-- Recomputes the timings of a company's conversations from their messages (this migration's backfill; the
-- benchmark seeds with it). resolved_at of an already resolved conversation is its last update.
create function private.recompute_conversation_timings(p_company_id uuid) returns void
language sql security definer set search_path = '' as $$
  insert into public.conversation_timings as t (conversation_id, company_id, started_at, first_visitor_message_at, first_response_at, first_responder_id, resolved_at, assignee_id)
  select c.id, c.company_id, c.created_at, case when fr.created_at is not null then fv.at end, fr.created_at, fr.author_id, case when c.status = 'resolved' then c.updated_at end, c.assignee_id
    from public.conversations c
    left join lateral (select min(m.created_at) at from public.messages m where m.conversation_id = c.id and m.sender_kind = 'visitor') fv on true
    left join lateral (select m.created_at, m.author_id from public.messages m
                        where m.conversation_id = c.id and m.sender_kind = 'agent' and m.created_at > fv.at
                          and (to_jsonb(m) ->> 'is_private') is distinct from 'true'
                        order by m.created_at limit 1) fr on true
   where p_company_id is null or c.company_id = p_company_id
  on conflict (conversation_id) do update set started_at = excluded.started_at,
    first_visitor_message_at = excluded.first_visitor_message_at, first_response_at = excluded.first_response_at,
    first_responder_id = excluded.first_responder_id, resolved_at = excluded.resolved_at, assignee_id = excluded.assignee_id
$$;
comment on function private.recompute_conversation_timings(uuid) is 'Recomputes conversation_timings from messages for one company (null: all). Operator only.';
revoke all on function private.recompute_conversation_timings(uuid) from public, anon, authenticated;

select private.recompute_conversation_timings(null);

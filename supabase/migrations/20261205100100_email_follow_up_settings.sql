-- Email follow-up (issue 19, ADR 0014), its settings: per company the minutes a reply may stay unseen before it is
-- emailed and the reply-to address of its mails; per conversation the page it started on (the continuity link's
-- target). Nothing here replaces a shared function: the page is stamped by a trigger of its own.

alter table public.companies
  add column follow_up_minutes int not null default 5 check (follow_up_minutes between 1 and 1440),
  add column email_reply_to text check (email_reply_to is null or (char_length(email_reply_to) <= 254 and email_reply_to ~ '^[^@\s]+@[^@\s]+$'));
comment on column public.companies.follow_up_minutes is 'Minutes an agent''s reply may stay unseen by the visitor before it is emailed to them (default 5).';
comment on column public.companies.email_reply_to is 'Reply-To of the company''s emails to visitors; null = no Reply-To.';

alter table public.conversations add column started_page_url text check (char_length(started_page_url) <= 2048);
comment on column public.conversations.started_page_url is 'The page the conversation started on: where an emailed continuity link reopens it.';

-- The visitor's current page when the conversation is created (the send RPCs store it on the visitor first).
create function private.conversation_started_page() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  if new.started_page_url is null then
    select v.last_page_url into new.started_page_url from public.visitors v where v.id = new.visitor_id;
  end if;
  return new;
end;
$$;
comment on function private.conversation_started_page() is 'Stamps a new conversation with the page its visitor is on.';
revoke all on function private.conversation_started_page() from public, anon, authenticated;
create trigger conversations_started_page before insert on public.conversations
  for each row execute function private.conversation_started_page();

-- Admins edit both in the dashboard (the "admins rename their companies" update policy decides whose row).
grant update (follow_up_minutes, email_reply_to) on public.companies to authenticated;

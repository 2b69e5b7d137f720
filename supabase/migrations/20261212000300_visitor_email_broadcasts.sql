-- Emails to the visitor live in the dashboard (issue 19): an email queued, sent, failed or retried with a new reason
-- is announced on the company's keyed topic from the database (realtime.send, ADR 0002), as message.delivery is.
-- The signal carries ids and the status only; a dashboard showing the conversation reads its emails again. A
-- claim's lease (attempts, next_attempt_at alone) says nothing.

create function private.visitor_email_after_change() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  topic text := private.company_topic(new.company_id);
begin
  if topic is not null then -- null while the company itself is being deleted
    perform realtime.send(jsonb_build_object('email_id', new.id, 'conversation_id', new.conversation_id, 'status', new.status),
      'visitor_email.changed', topic, true);
  end if;
  return null;
end;
$$;
comment on function private.visitor_email_after_change() is 'visitor_email.changed on the company topic when an email to a visitor is queued or its status or reason changes.';
revoke all on function private.visitor_email_after_change() from public, anon, authenticated;

create trigger visitor_emails_after_insert after insert on public.visitor_emails
  for each row execute function private.visitor_email_after_change();
create trigger visitor_emails_after_update after update of status, last_error on public.visitor_emails
  for each row when (old.status is distinct from new.status or old.last_error is distinct from new.last_error)
  execute function private.visitor_email_after_change();

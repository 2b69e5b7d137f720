-- The widget-identify function's RPCs (issue 19, ADR 0013): service role only, bound to the widget by key and
-- origin like every widget RPC (ADR 0006). p_verified is true only after widget-identify checked the userHash.

-- The verified person's conversations with the company, newest first (every device's), with a preview.
create function private.person_conversations(p_company uuid, p_person uuid) returns jsonb
language sql stable security definer set search_path = '' as $$
  select coalesce(jsonb_agg(jsonb_build_object('id', c.id, 'status', c.status, 'createdAt', c.created_at,
           'lastMessageAt', c.last_message_at, 'preview', c.last_message_preview) order by c.last_message_at desc, c.id desc), '[]'::jsonb)
    from (select c.* from public.conversations c join public.visitors v on v.id = c.visitor_id
           where p_person is not null and v.verified_visitor_id = p_person and c.company_id = p_company and c.platform = 'widget'
           order by c.last_message_at desc, c.id desc limit 50) c
$$;
comment on function private.person_conversations(uuid, uuid) is 'Up to 50 widget conversations of a verified person with a company, newest first (list entries, no messages).';
revoke all on function private.person_conversations(uuid, uuid) from public, anon, authenticated;

-- identify(): upserts this browser's visitor; a verified call finds or makes the person, takes the signed name and
-- email, and links the row; an unverified one only fills name/email of a row that is no person's.
create function public.widget_identify(
  p_widget_key text, p_origin text, p_user_id uuid, p_external_id text, p_name text, p_email text, p_verified boolean
) returns jsonb
language plpgsql security definer set search_path = '' as $$
declare
  company uuid := private.widget_company(p_widget_key, p_origin);
  requires boolean;
  v public.visitors;
  person public.verified_visitors;
begin
  select w.require_verification into requires from public.widget_configs w where w.company_id = company;
  if requires and not p_verified and p_external_id is not null then
    raise exception 'identity_verification_required' using errcode = 'PLI03';
  end if;
  -- Upserts, not select-then-insert: the widget's first message (widget-session) may create the row concurrently.
  if p_verified then
    if p_external_id is null then
      raise exception 'identity_verification_required' using errcode = 'PLI03';
    end if;
    insert into public.verified_visitors as x (company_id, external_id, name, email)
    values (company, p_external_id, p_name, p_email)
    on conflict (company_id, external_id) do update set name = coalesce(excluded.name, x.name), email = coalesce(excluded.email, x.email)
    returning * into person;
    insert into public.visitors as x (company_id, user_id, verified_visitor_id) values (company, p_user_id, person.id)
    on conflict (company_id, user_id) do update set verified_visitor_id = excluded.verified_visitor_id, last_seen_at = now()
      where x.verified_visitor_id is null or x.verified_visitor_id = excluded.verified_visitor_id
    returning * into v;
    -- Another person's browser (a shared computer): never merge their histories (raised: the person's name and
    -- email written above roll back too).
    if not found then
      raise exception 'identity_conflict' using errcode = 'PLI09';
    end if;
  else
    -- A linked row keeps the verified name and email whatever this writes (trigger visitors_keep_verified_identity).
    insert into public.visitors as x (company_id, user_id, name, email) values (company, p_user_id, p_name, p_email)
    on conflict (company_id, user_id) do update set name = coalesce(excluded.name, x.name), email = coalesce(excluded.email, x.email), last_seen_at = now()
    returning * into v;
  end if;
  return jsonb_build_object('verified', v.verified_visitor_id is not null,
    'visitor', jsonb_build_object('id', v.id, 'name', v.name, 'email', v.email),
    'conversations', private.person_conversations(company, v.verified_visitor_id));
end;
$$;
comment on function public.widget_identify(text, text, uuid, text, text, text, boolean) is
  'identify() for the widget found by key and origin: links this browser''s visitor to the verified person when p_verified, else fills only an unlinked row''s name/email; refusals raise PLW04/PLI03/PLI09 and write nothing (service role only).';

-- An earlier conversation of the caller's verified person (perhaps from another device): its last 100 messages.
create function public.widget_person_messages(p_widget_key text, p_origin text, p_user_id uuid, p_conversation_id uuid) returns jsonb
language plpgsql stable security definer set search_path = '' as $$
declare
  company uuid := private.widget_company(p_widget_key, p_origin);
begin
  if not exists (
    select 1 from public.conversations c
      join public.visitors owner on owner.id = c.visitor_id
      join public.visitors me on me.verified_visitor_id = owner.verified_visitor_id
     where c.id = p_conversation_id and c.company_id = company and me.company_id = company and me.user_id = p_user_id) then
    raise exception 'conversation_not_found' using errcode = 'PLC04';
  end if;
  return jsonb_build_object('messages', coalesce((
    select jsonb_agg(to_jsonb(m) order by m.created_at, m.id)
      from (select * from public.messages where conversation_id = p_conversation_id order by created_at desc, id desc limit 100) m), '[]'::jsonb));
end;
$$;
comment on function public.widget_person_messages(text, text, uuid, uuid) is
  'Messages of a conversation of the caller''s verified person with the widget''s company (any of their devices); PLW04/PLC04 otherwise (service role only).';

-- The identity secret, for widget-identify's HMAC check.
create function public.widget_identity_secret(p_company_id uuid) returns text
language sql stable security definer set search_path = '' as $$
  select s.secret from public.widget_identity_secrets s where s.company_id = p_company_id
$$;
comment on function public.widget_identity_secret(uuid) is 'The company''s identity secret, null if none (service role only: widget-identify verifies userHash with it).';

revoke all on function public.widget_identify(text, text, uuid, text, text, text, boolean),
  public.widget_person_messages(text, text, uuid, uuid), public.widget_identity_secret(uuid) from public, anon, authenticated;
grant execute on function public.widget_identify(text, text, uuid, text, text, text, boolean),
  public.widget_person_messages(text, text, uuid, uuid), public.widget_identity_secret(uuid) to service_role;

-- Server-side steps of the widget's Edge Functions, each one transaction. Only the service role may call them
-- (the functions verify the visitor's JWT and origin first); visitors never write tables directly.

create table public.widget_rate_limit_hits (
  bucket text not null,
  hit_at timestamptz not null default clock_timestamp()
);
create index widget_rate_limit_hits_bucket_idx on public.widget_rate_limit_hits (bucket, hit_at desc);
comment on table public.widget_rate_limit_hits is 'Recent widget actions per bucket (visitor or IP), for rate limits. Rows older than a day are pruned.';
comment on column public.widget_rate_limit_hits.bucket is 'What is limited, e.g. message:visitor:<user id> or conversation:ip:<address>.';
comment on column public.widget_rate_limit_hits.hit_at is 'When the action happened.';
alter table public.widget_rate_limit_hits enable row level security;
grant all on public.widget_rate_limit_hits to service_role;

-- Records a hit unless `p_max` hits already happened within `p_window_seconds`; returns 0 when allowed,
-- else the seconds until the oldest hit in the window expires (the Retry-After).
create function public.widget_rate_limit(p_bucket text, p_max int, p_window_seconds int) returns int
language plpgsql security definer set search_path = '' as $$
declare
  oldest timestamptz;
  hits int;
begin
  perform pg_advisory_xact_lock(hashtext(p_bucket));
  select count(*), min(hit_at) into hits, oldest
    from (select hit_at from public.widget_rate_limit_hits
          where bucket = p_bucket and hit_at > clock_timestamp() - make_interval(secs => p_window_seconds)
          order by hit_at desc limit p_max) recent;
  if hits >= p_max then
    return greatest(1, ceil(extract(epoch from (oldest + make_interval(secs => p_window_seconds) - clock_timestamp())))::int);
  end if;
  insert into public.widget_rate_limit_hits (bucket) values (p_bucket);
  if random() < 0.01 then
    delete from public.widget_rate_limit_hits where hit_at < clock_timestamp() - interval '1 day';
  end if;
  return 0;
end;
$$;
comment on function public.widget_rate_limit(text, int, int) is 'Rate limit check-and-record for the widget Edge Functions (service role only).';

-- Starts (or resumes) a visitor's conversation: visitor row, open conversation and first message in one transaction.
create function public.widget_start_session(
  p_company_id uuid, p_user_id uuid, p_name text, p_email text, p_phone text, p_page_url text, p_page_title text,
  p_user_agent text, p_locale text, p_first_message_id uuid, p_first_message_body text
) returns jsonb
language plpgsql security definer set search_path = '' as $$
declare
  v public.visitors;
  c public.conversations;
  created boolean := false;
begin
  insert into public.visitors as x (company_id, user_id, name, email, phone, last_page_url, last_page_title, user_agent, locale)
  values (p_company_id, p_user_id, p_name, p_email, p_phone, p_page_url, p_page_title, p_user_agent, p_locale)
  on conflict (company_id, user_id) do update set
    name = coalesce(excluded.name, x.name), email = coalesce(excluded.email, x.email), phone = coalesce(excluded.phone, x.phone),
    last_page_url = coalesce(excluded.last_page_url, x.last_page_url), last_page_title = coalesce(excluded.last_page_title, x.last_page_title),
    user_agent = coalesce(excluded.user_agent, x.user_agent), locale = coalesce(excluded.locale, x.locale), last_seen_at = now()
  returning * into v;

  select * into c from public.conversations
   where visitor_id = v.id and platform = 'widget' and status <> 'resolved'
   order by created_at desc limit 1 for update;
  if not found then
    insert into public.conversations (company_id, visitor_id, platform) values (p_company_id, v.id, 'widget') returning * into c;
    created := true;
  end if;

  if p_first_message_id is not null and p_first_message_body is not null then
    insert into public.messages (id, conversation_id, company_id, sender_kind, author_id, author_name, body)
    values (p_first_message_id, c.id, c.company_id, 'visitor', p_user_id, v.name, p_first_message_body)
    on conflict (id) do nothing;
  end if;

  return jsonb_build_object('created', created, 'visitor', to_jsonb(v), 'conversation', to_jsonb(c));
end;
$$;
comment on function public.widget_start_session(uuid, uuid, text, text, text, text, text, text, text, uuid, text) is
  'Widget session: upserts the visitor, returns their open conversation or starts one, stores the first message (service role only).';

-- Stores a visitor message idempotently (the client-generated id): a replay returns the stored row.
create function public.widget_send_message(p_user_id uuid, p_conversation_id uuid, p_message_id uuid, p_body text, p_page_url text)
returns jsonb
language plpgsql security definer set search_path = '' as $$
declare
  conv public.conversations;
  vis public.visitors;
  m public.messages;
begin
  select c.* into conv from public.conversations c join public.visitors v on v.id = c.visitor_id
   where c.id = p_conversation_id and v.user_id = p_user_id;
  if not found then
    return jsonb_build_object('error', 'conversation_not_found');
  end if;
  select * into vis from public.visitors where id = conv.visitor_id;
  insert into public.messages (id, conversation_id, company_id, sender_kind, author_id, author_name, body)
  values (p_message_id, conv.id, conv.company_id, 'visitor', p_user_id, vis.name, p_body)
  on conflict (id) do nothing
  returning * into m;
  if found then
    update public.visitors set last_seen_at = now(), last_page_url = coalesce(p_page_url, last_page_url) where id = vis.id;
    return jsonb_build_object('created', true, 'message', to_jsonb(m));
  end if;
  select * into m from public.messages where id = p_message_id;
  if m.conversation_id <> conv.id or m.author_id is distinct from p_user_id then
    return jsonb_build_object('error', 'message_id_conflict');
  end if;
  return jsonb_build_object('created', false, 'message', to_jsonb(m));
end;
$$;
comment on function public.widget_send_message(uuid, uuid, uuid, text, text) is 'Widget message send, idempotent by message id (service role only).';

revoke all on function public.widget_rate_limit(text, int, int), public.widget_start_session(uuid, uuid, text, text, text, text, text, text, text, uuid, text),
  public.widget_send_message(uuid, uuid, uuid, text, text) from public, anon, authenticated;
grant execute on function public.widget_rate_limit(text, int, int), public.widget_start_session(uuid, uuid, text, text, text, text, text, text, text, uuid, text),
  public.widget_send_message(uuid, uuid, uuid, text, text) to service_role;

-- CSAT (issue 21): one rating per conversation, given by its visitor once it is resolved, on the company's scale.
-- Visitors write only through public.widget_rate_conversation (the origin-checked widget-rating Edge Function,
-- ADR 0006): a second submit replaces the first in one upsert, never adds a row. Members read their company's
-- ratings; a visitor reads their own.

create type public.rating_scale as enum ('five', 'thumbs');
comment on type public.rating_scale is 'How visitors rate a conversation: five (1 to 5 stars) or thumbs (0 down, 1 up).';

alter table public.companies add column rating_scale public.rating_scale not null default 'five';
comment on column public.companies.rating_scale is 'The scale the widget offers when a conversation is resolved (admins choose).';
grant update (rating_scale) on public.companies to authenticated;

create table public.conversation_ratings (
  conversation_id uuid primary key references public.conversations(id) on delete cascade,
  company_id uuid not null references public.companies(id) on delete cascade,
  visitor_id uuid not null references public.visitors(id) on delete cascade,
  scale public.rating_scale not null,
  score smallint not null,
  comment text check (char_length(comment) <= 1000),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint conversation_ratings_score_on_scale check (
    (scale = 'five' and score between 1 and 5) or (scale = 'thumbs' and score between 0 and 1))
);
-- The reports read a company's ratings by conversation start (through conversation_timings) and the agent table.
create index conversation_ratings_company_idx on public.conversation_ratings (company_id, conversation_id) include (scale, score);
comment on table public.conversation_ratings is 'A visitor''s satisfaction rating of a resolved conversation; one per conversation, replaced by a later submit.';
comment on column public.conversation_ratings.conversation_id is 'The rated conversation (one rating each).';
comment on column public.conversation_ratings.company_id is 'Copied from the conversation (RLS and indexes).';
comment on column public.conversation_ratings.visitor_id is 'The visitor who rated (always the conversation''s).';
comment on column public.conversation_ratings.scale is 'The company''s scale when the rating was given.';
comment on column public.conversation_ratings.score is '1 to 5 on the five scale; 0 (down) or 1 (up) on thumbs.';
comment on column public.conversation_ratings.comment is 'Optional words from the visitor, plain text, at most 1000 characters.';
comment on column public.conversation_ratings.created_at is 'First submit.';
comment on column public.conversation_ratings.updated_at is 'Latest submit (a second one changes the rating).';

alter table public.conversation_ratings enable row level security;
create policy "members read their company's ratings; visitors read their own" on public.conversation_ratings
  for select to authenticated using (company_id in (select private.my_company_ids()) or visitor_id in (select private.my_visitor_ids()));
grant select on public.conversation_ratings to authenticated;
grant all on public.conversation_ratings to service_role;

-- Whether a rating counts as satisfied (the CSAT score is the share of satisfied ratings): 4 or 5 stars, a thumb up.
-- No SET clause and no table: the planner inlines it (a SET would make it a real call per row, ~10 µs each).
create function private.rating_satisfied(p_scale public.rating_scale, p_score smallint) returns boolean
language sql immutable as $$
  select case p_scale when 'five' then p_score >= 4 else p_score = 1 end
$$;
comment on function private.rating_satisfied(public.rating_scale, smallint) is 'Whether a rating counts as satisfied: 4 or 5 stars, or a thumb up.';
grant execute on function private.rating_satisfied(public.rating_scale, smallint) to authenticated, service_role;

-- The widget's rating: own conversation of this widget's company, resolved now, score on the company's scale.
-- Refusals: PLW04 (widget), PLC04 (not theirs), PLQ09 (not resolved), PLQ22 (score not on the scale).
create function public.widget_rate_conversation(p_widget_key text, p_origin text, p_user_id uuid, p_conversation_id uuid,
  p_score int, p_comment text)
returns jsonb
language plpgsql security definer set search_path = '' as $$
declare
  company uuid := private.widget_company(p_widget_key, p_origin);
  conv record;
  saved public.conversation_ratings;
begin
  select c.id, c.status, c.visitor_id, co.rating_scale into conv
    from public.conversations c join public.visitors v on v.id = c.visitor_id join public.companies co on co.id = c.company_id
   where c.id = p_conversation_id and v.user_id = p_user_id and c.company_id = company
     for share of c;
  if conv.id is null then
    raise exception 'conversation_not_found' using errcode = 'PLC04';
  end if;
  if conv.status <> 'resolved' then
    raise exception 'conversation_not_resolved' using errcode = 'PLQ09';
  end if;
  if not ((conv.rating_scale = 'five' and p_score between 1 and 5) or (conv.rating_scale = 'thumbs' and p_score between 0 and 1)) then
    raise exception 'score_not_on_scale' using errcode = 'PLQ22', detail = conv.rating_scale::text;
  end if;
  insert into public.conversation_ratings as r (conversation_id, company_id, visitor_id, scale, score, comment)
    values (conv.id, company, conv.visitor_id, conv.rating_scale, p_score, nullif(btrim(p_comment), ''))
  on conflict (conversation_id) do update
    set scale = excluded.scale, score = excluded.score, comment = excluded.comment, updated_at = now()
  returning * into saved;
  return jsonb_build_object('scale', saved.scale, 'score', saved.score, 'comment', saved.comment, 'updated_at', saved.updated_at);
end;
$$;
comment on function public.widget_rate_conversation(text, text, uuid, uuid, int, text) is
  'The visitor rates their resolved conversation (widget found by key and origin; one rating per conversation, a second submit replaces it); PLW04/PLC04/PLQ09/PLQ22 refuse (service role only).';
revoke all on function public.widget_rate_conversation(text, text, uuid, uuid, int, text) from public, anon, authenticated;
grant execute on function public.widget_rate_conversation(text, text, uuid, uuid, int, text) to service_role;

-- What the rating prompt needs: the conversation's status, the company's scale and the visitor's rating so far.
create function public.widget_rating(p_widget_key text, p_origin text, p_user_id uuid, p_conversation_id uuid)
returns jsonb
language plpgsql stable security definer set search_path = '' as $$
declare
  company uuid := private.widget_company(p_widget_key, p_origin);
  found jsonb;
begin
  select jsonb_build_object('status', c.status, 'scale', co.rating_scale,
           'rating', case when r.conversation_id is null then null
                          else jsonb_build_object('scale', r.scale, 'score', r.score, 'comment', r.comment, 'updated_at', r.updated_at) end)
    into found
    from public.conversations c join public.visitors v on v.id = c.visitor_id join public.companies co on co.id = c.company_id
    left join public.conversation_ratings r on r.conversation_id = c.id
   where c.id = p_conversation_id and v.user_id = p_user_id and c.company_id = company;
  if found is null then
    raise exception 'conversation_not_found' using errcode = 'PLC04';
  end if;
  return found;
end;
$$;
comment on function public.widget_rating(text, text, uuid, uuid) is
  'The rating prompt''s state for the visitor''s own conversation: status, the company''s scale, their rating so far; PLW04/PLC04 refuse (service role only).';
revoke all on function public.widget_rating(text, text, uuid, uuid) from public, anon, authenticated;
grant execute on function public.widget_rating(text, text, uuid, uuid) to service_role;

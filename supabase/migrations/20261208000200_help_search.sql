-- Help search (issue 22, docs/decisions/0017-help-search-and-bot.md): one SQL function ranks a company's published
-- articles for a visitor's words, in both configurations (an English question may meet German articles' words and
-- the other way round), title above body, rarer words above common ones, with a trigram fallback for typos. The
-- widget reaches it through widget_help_search (origin-checked, service role only); the bot through bot_consider.

-- The visitor's words with typos mended: a word of 4+ letters that no published article of the company contains is
-- replaced by the most similar word they do contain (trigram similarity ≥ 0.4), if there is one.
create function private.help_mend_words(p_company_id uuid, p_query text) returns text
language sql stable security definer set search_path = '' as $$
  select coalesce(string_agg(coalesce(fix.word, q.w), ' ' order by q.n), '')
    from regexp_split_to_table(lower(left(p_query, 1000)), '[^[:alnum:]]+') with ordinality q(w, n)
    left join lateral (
      select h.word from private.help_words h
       where char_length(q.w) >= 4
         and not exists (select 1 from private.help_words k where k.company_id = p_company_id and k.word = q.w)
         and h.company_id = p_company_id and h.word operator(extensions.%) q.w
         and extensions.similarity(h.word, q.w) >= 0.4
       order by extensions.similarity(h.word, q.w) desc, h.word limit 1) fix on true
   where q.w <> ''
$$;
comment on function private.help_mend_words(uuid, text) is 'The query''s words (lower case), each unknown word of 4+ letters replaced by the nearest word of the company''s published articles (pg_trgm, similarity ≥ 0.4).';

-- The ranking. For each configuration: the query's lexemes (stop words dropped, stemmed), each weighted by its
-- rarity among the company's published articles of that locale (ln(1 + N/df); a lexeme no article holds counts
-- half the rarest, so a question mostly about something else scores low). An article scores the share of that
-- weight it covers: a lexeme in the title counts fully, in the body 0.6. 0..1, comparable across questions: the
-- bot's confidence threshold is on this score.
create function private.help_search(p_company_id uuid, p_query text, p_limit int default 5)
returns table (id uuid, title text, category text, locale text, excerpt text, score real)
language sql stable security definer set search_path = '' as $$
  with mended as (select private.help_mend_words(p_company_id, p_query) q),
  configs as (select l.locale, private.help_config(l.locale) cfg from (values ('en'), ('de')) l(locale)),
  lexemes as (
    select c.locale, x.lexeme
      from configs c, mended m, unnest(tsvector_to_array(to_tsvector(c.cfg, m.q))) x(lexeme)),
  queries as (
    select l.locale, string_agg(quote_literal(l.lexeme), ' | ')::tsquery tsq from lexemes l group by l.locale),
  docs as (
    select a.id, a.locale, a.search from public.help_articles a
     where a.company_id = p_company_id and a.published),
  sizes as (select d.locale, count(*) n from docs d group by d.locale),
  weights as (
    select l.locale, l.lexeme, quote_literal(l.lexeme)::tsquery lq, (quote_literal(l.lexeme) || ':A')::tsquery aq,
           (select count(*) from docs d where d.locale = l.locale and d.search @@ quote_literal(l.lexeme)::tsquery) df
      from lexemes l),
  rarity as (
    select w.locale, w.lq, w.aq, w.df,
           case when w.df > 0 then ln(1 + s.n::float8 / w.df) else 0.5 * ln(1 + s.n::float8) end idf
      from weights w join sizes s using (locale)),
  totals as (select r.locale, sum(r.idf) total from rarity r group by r.locale),
  hits as (
    select d.id, d.locale from docs d join queries q on q.locale = d.locale where d.search @@ q.tsq),
  scored as (
    select h.id, (sum(case when d.search @@ r.aq then r.idf when d.search @@ r.lq then 0.6 * r.idf else 0 end) / nullif(t.total, 0))::real score
      from hits h join docs d on d.id = h.id join rarity r on r.locale = h.locale and r.df > 0 join totals t on t.locale = h.locale
     group by h.id, t.total)
  select a.id, a.title, a.category, a.locale,
         left(btrim(regexp_replace(regexp_replace(a.body, '[#*_`>\[\]]|\]\([^)]*\)', '', 'g'), '\s+', ' ', 'g')), 180) excerpt,
         s.score
    from scored s join public.help_articles a on a.id = s.id
   where s.score > 0
   order by s.score desc, a.updated_at desc, a.id
   limit greatest(1, least(coalesce(p_limit, 5), 20))
$$;
comment on function private.help_search(uuid, text, int) is
  'A company''s published articles best matching a query (English and German configurations, title above body, rarer words above common, typos mended by trigram), with a 0..1 score.';
revoke all on function private.help_mend_words(uuid, text), private.help_search(uuid, text, int) from public, anon, authenticated;
grant execute on function private.help_search(uuid, text, int) to service_role;

-- The widget's doors (service role only: the widget-help function calls them after checking the visitor).
create function public.widget_help_search(p_widget_key text, p_origin text, p_query text, p_limit int default 5) returns jsonb
language plpgsql stable security definer set search_path = '' as $$
declare
  company uuid := private.widget_company(p_widget_key, p_origin);
begin
  return coalesce((select jsonb_agg(to_jsonb(s) order by s.score desc) from private.help_search(company, p_query, p_limit) s), '[]'::jsonb);
end;
$$;
comment on function public.widget_help_search(text, text, text, int) is
  'Published articles of the widget''s company matching a query, best first (refuses a widget unknown, off, or not allowed on the origin with PLW04; service role only).';

create function public.widget_help_article(p_widget_key text, p_origin text, p_article_id uuid) returns jsonb
language plpgsql stable security definer set search_path = '' as $$
declare
  company uuid := private.widget_company(p_widget_key, p_origin);
  found jsonb;
begin
  select jsonb_build_object('id', a.id, 'title', a.title, 'body', a.body, 'locale', a.locale, 'category', a.category, 'updated_at', a.updated_at)
    into found from public.help_articles a where a.id = p_article_id and a.company_id = company and a.published;
  if found is null then
    raise exception 'article_not_found' using errcode = 'PLK04';
  end if;
  return found;
end;
$$;
comment on function public.widget_help_article(text, text, uuid) is
  'One published article of the widget''s company; PLK04 for a draft, another company''s or an unknown one (service role only).';

create function public.widget_help_suggested(p_widget_key text, p_origin text, p_locale text, p_limit int default 5) returns jsonb
language plpgsql stable security definer set search_path = '' as $$
declare
  company uuid := private.widget_company(p_widget_key, p_origin);
begin
  return coalesce((
    select jsonb_agg(jsonb_build_object('id', a.id, 'title', a.title, 'category', a.category, 'locale', a.locale) order by a.updated_at desc)
      from (select * from public.help_articles a
             where a.company_id = company and a.published and a.locale = case when p_locale = 'de' then 'de' else 'en' end
             order by a.updated_at desc limit greatest(1, least(coalesce(p_limit, 5), 20))) a), '[]'::jsonb);
end;
$$;
comment on function public.widget_help_suggested(text, text, text, int) is
  'The newest published articles of the widget''s company in a locale, for the help center''s first screen (service role only).';

revoke all on function public.widget_help_search(text, text, text, int), public.widget_help_article(text, text, uuid),
  public.widget_help_suggested(text, text, text, int) from public, anon, authenticated;
grant execute on function public.widget_help_search(text, text, text, int), public.widget_help_article(text, text, uuid),
  public.widget_help_suggested(text, text, text, int) to service_role;

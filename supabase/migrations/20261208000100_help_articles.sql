-- Help-center articles (issue 22): a company's knowledge base, written in Markdown by its admins, read by its
-- members (drafts too) and by visitors only through the widget-help function (published ones of that widget's
-- company). Search documents per locale (English, German) with the title weighted above the body, and a word list
-- per company for the trigram typo fallback (20261208000200_help_search.sql).

create extension if not exists pg_trgm with schema extensions;

-- The text-search configuration of an article locale (immutable: a generated column and its index use it).
create function private.help_config(p_locale text) returns regconfig
language sql immutable parallel safe set search_path = '' as $$
  select case p_locale when 'de' then 'pg_catalog.german'::regconfig else 'pg_catalog.english'::regconfig end
$$;
comment on function private.help_config(text) is 'The text-search configuration of an article locale: german for de, english otherwise.';

create function private.help_document(p_locale text, p_title text, p_body text) returns tsvector
language sql immutable parallel safe set search_path = '' as $$
  select setweight(to_tsvector(private.help_config(p_locale), coalesce(p_title, '')), 'A')
      || setweight(to_tsvector(private.help_config(p_locale), coalesce(p_body, '')), 'B')
$$;
comment on function private.help_document(text, text, text) is 'An article''s search document: title lexemes weighted A, body lexemes B, in the locale''s configuration.';

create table public.help_articles (
  id uuid primary key default gen_random_uuid(),
  company_id uuid not null references public.companies(id) on delete cascade,
  title text not null check (char_length(btrim(title)) between 1 and 200),
  body text not null check (char_length(body) between 1 and 20000),
  locale text not null default 'en' check (locale in ('en', 'de')),
  category text check (char_length(btrim(category)) between 1 and 80),
  published boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  search tsvector not null generated always as (private.help_document(locale, title, body)) stored
);
create index help_articles_company_idx on public.help_articles (company_id, published, locale, updated_at desc);
create index help_articles_search_idx on public.help_articles using gin (search);
comment on table public.help_articles is 'A help-center article of a company (Markdown), searched by the widget and quoted by the Auto Bot once published.';
comment on column public.help_articles.id is 'Article id.';
comment on column public.help_articles.company_id is 'The company whose help center it belongs to.';
comment on column public.help_articles.title is 'Title (weighted above the body in search).';
comment on column public.help_articles.body is 'Markdown; rendered to a small allowed subset (headings, paragraphs, lists, http(s) links, emphasis, code), never as HTML.';
comment on column public.help_articles.locale is 'Language of the article: en or de (chooses the text-search configuration).';
comment on column public.help_articles.category is 'Optional category shown with the article.';
comment on column public.help_articles.published is 'Visitors and the bot see published articles only; drafts are for the company''s members.';
comment on column public.help_articles.created_at is 'When it was written.';
comment on column public.help_articles.updated_at is 'Last change.';
comment on column public.help_articles.search is 'Search document (generated): title weight A, body weight B, in the locale''s configuration.';

create trigger help_articles_touch before update on public.help_articles for each row execute function private.touch_updated_at();
create trigger help_articles_operator_columns before update of id, company_id, created_at on public.help_articles
  for each row execute function private.refuse_operator_columns('id', 'company_id', 'created_at');
comment on trigger help_articles_operator_columns on public.help_articles is 'Only the operator may move an article or change its id (fires when an update names one).';

alter table public.help_articles enable row level security;
create policy "members read their company's articles" on public.help_articles
  for select to authenticated using (company_id in (select private.my_company_ids()));
create policy "admins write their company's articles" on public.help_articles
  for insert to authenticated with check (company_id in (select private.my_admin_company_ids()));
create policy "admins change their company's articles" on public.help_articles
  for update to authenticated using (company_id in (select private.my_admin_company_ids())) with check (company_id in (select private.my_admin_company_ids()));
create policy "admins delete their company's articles" on public.help_articles
  for delete to authenticated using (company_id in (select private.my_admin_company_ids()));
grant select, delete on public.help_articles to authenticated;
grant insert (company_id, title, body, locale, category, published) on public.help_articles to authenticated;
grant update (title, body, locale, category, published) on public.help_articles to authenticated;
grant all on public.help_articles to service_role;

-- The words of a company's published articles, for the typo fallback: a visitor's unknown word is replaced by the
-- nearest of these (trigram similarity, GIN-indexed). Kept by a trigger; private (no API role reads it).
create table private.help_words (
  article_id uuid not null references public.help_articles(id) on delete cascade,
  company_id uuid not null,
  word text not null,
  primary key (article_id, word)
);
create index help_words_company_word_idx on private.help_words using gin (word extensions.gin_trgm_ops);
create index help_words_company_idx on private.help_words (company_id, word);
alter table private.help_words enable row level security;
revoke all on private.help_words from public, anon, authenticated;
grant all on private.help_words to service_role;
comment on table private.help_words is 'Distinct words (4+ letters, lower case) of each published article, for the trigram typo fallback of help search.';
comment on column private.help_words.article_id is 'The article.';
comment on column private.help_words.company_id is 'The article''s company (search is per company).';
comment on column private.help_words.word is 'One lower-case word of the title or body.';

create function private.help_words_of(p_text text) returns setof text
language sql immutable parallel safe set search_path = '' as $$
  select distinct w from regexp_split_to_table(lower(p_text), '[^[:alnum:]]+') w where char_length(w) between 4 and 40
$$;
comment on function private.help_words_of(text) is 'Distinct lower-case words of 4 to 40 letters or digits in a text.';

create function private.help_article_words() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  delete from private.help_words where article_id = new.id;
  if new.published then
    insert into private.help_words (article_id, company_id, word)
    select new.id, new.company_id, w from private.help_words_of(new.title || ' ' || new.body) w;
  end if;
  return null;
end;
$$;
comment on function private.help_article_words() is 'Keeps private.help_words in step with an article: its words while published, none while a draft.';
revoke all on function private.help_article_words(), private.help_words_of(text) from public, anon, authenticated;
create trigger help_articles_words after insert or update of title, body, published on public.help_articles
  for each row execute function private.help_article_words();
comment on trigger help_articles_words on public.help_articles is 'Refreshes the article''s words for the typo fallback.';

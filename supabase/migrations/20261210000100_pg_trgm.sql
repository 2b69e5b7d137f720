-- Trigram matching for inbox search (issue 24): fragments and typos of visitors' names and emails.
-- Hosted Supabase keeps extensions in the `extensions` schema (on every role's search_path); so does the stand-in.
create extension if not exists pg_trgm with schema extensions;

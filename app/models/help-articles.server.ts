// A company's help articles and its Auto Bot default, read and written as the signed-in admin (through RLS).
import type { PostgrestError, SupabaseClient } from '@supabase/supabase-js';
import type { ArticleForm } from './help-articles.ts';

export interface ArticleRow {
  id: string;
  title: string;
  body: string;
  locale: 'en' | 'de';
  category: string | null;
  published: boolean;
  updated_at: string;
}

const COLUMNS = 'id, title, body, locale, category, published, updated_at';

export async function listArticles(supabase: SupabaseClient, companyId: string): Promise<Omit<ArticleRow, 'body'>[]> {
  const { data, error } = await supabase
    .from('help_articles')
    .select('id, title, locale, category, published, updated_at')
    .eq('company_id', companyId)
    .order('updated_at', { ascending: false })
    .limit(500);
  if (error) throw new Error(`help articles: ${error.message}`);
  return data as Omit<ArticleRow, 'body'>[];
}

export async function getArticle(supabase: SupabaseClient, companyId: string, id: string): Promise<ArticleRow | null> {
  const { data, error } = await supabase.from('help_articles').select(COLUMNS).eq('company_id', companyId).eq('id', id).maybeSingle();
  if (error) throw new Error(`help article: ${error.message}`);
  return data as ArticleRow | null;
}

/** Creates (no id) or updates an article; the id written, or the database's refusal. */
export async function saveArticle(supabase: SupabaseClient, companyId: string, id: string | null, a: ArticleForm): Promise<{ id: string | null; error: PostgrestError | null }> {
  const query = id
    ? supabase.from('help_articles').update(a).eq('company_id', companyId).eq('id', id)
    : supabase.from('help_articles').insert({ ...a, company_id: companyId });
  const { data, error } = await query.select('id');
  return { id: (data?.[0]?.id as string | undefined) ?? null, error };
}

export async function deleteArticle(supabase: SupabaseClient, companyId: string, id: string): Promise<number> {
  const { data, error } = await supabase.from('help_articles').delete().eq('company_id', companyId).eq('id', id).select('id');
  if (error) throw new Error(`delete help article: ${error.message}`);
  return data.length;
}

export async function getBotDefault(supabase: SupabaseClient, companyId: string): Promise<boolean> {
  const { data, error } = await supabase.from('widget_configs').select('auto_bot_default').eq('company_id', companyId).maybeSingle();
  if (error) throw new Error(`auto bot default: ${error.message}`);
  return data?.auto_bot_default === true;
}

export async function setBotDefault(supabase: SupabaseClient, companyId: string, on: boolean): Promise<PostgrestError | null> {
  const { error } = await supabase.from('widget_configs').update({ auto_bot_default: on }).eq('company_id', companyId);
  return error;
}

export interface TriedArticle {
  id: string;
  title: string;
  locale: 'en' | 'de';
  excerpt: string;
  score: number;
}

/** The published articles the help search (and so the Auto Bot) finds for a question, best first (admins only). */
export async function tryQuestion(supabase: SupabaseClient, companyId: string, question: string): Promise<TriedArticle[]> {
  const { data, error } = await supabase.rpc('help_try', { p_company_id: companyId, p_query: question });
  if (error) throw new Error(`help try: ${error.message}`);
  return (data ?? []) as TriedArticle[];
}

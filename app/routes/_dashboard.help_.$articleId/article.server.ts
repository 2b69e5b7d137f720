// One help article (admins): the editor's values (`new`: an empty article), saving, publishing and deleting.
import { type ActionFunctionArgs, json, type LoaderFunctionArgs, redirect } from '@remix-run/node';
import { errorResponse, requireAdmin } from '../../lib/auth.server.ts';
import { fieldErrors, readForm } from '../../lib/validation.ts';
import { deleteArticle, getArticle, saveArticle } from '../../models/help-articles.server.ts';
import { articleFormToInput, articleIdSchema, articleSchema } from '../../models/help-articles.ts';

const EMPTY = { id: null, title: '', body: '', locale: 'en' as const, category: null, published: false };

/** `new`, or the id of an article of the current company (anything else: 404). */
function articleId(params: { articleId?: string }, headers: Headers): string | null {
  if (params.articleId === 'new') return null;
  const parsed = articleIdSchema.safeParse(params.articleId);
  if (!parsed.success) throw errorResponse(404, 'article_not_found', 'This article does not exist.', headers);
  return parsed.data;
}

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const ctx = await requireAdmin(request, context);
  const id = articleId(params, ctx.headers);
  if (!id) return json({ article: EMPTY }, { headers: ctx.headers });
  const article = await getArticle(ctx.supabase, ctx.current.companyId, id);
  if (!article) throw errorResponse(404, 'article_not_found', 'This article does not exist.', ctx.headers);
  return json({ article }, { headers: ctx.headers });
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const ctx = await requireAdmin(request, context);
  const id = articleId(params, ctx.headers);
  const form = await readForm(request);
  if (form.intent === 'delete') {
    if (!id || !(await deleteArticle(ctx.supabase, ctx.current.companyId, id))) {
      return errorResponse(404, 'article_not_found', 'This article does not exist.', ctx.headers);
    }
    return redirect('/help', { headers: ctx.headers });
  }
  const parsed = articleSchema.safeParse(articleFormToInput(form));
  if (!parsed.success) return errorResponse(422, 'validation_failed', 'Check the highlighted fields.', ctx.headers, { fieldErrors: fieldErrors(parsed.error) });
  const saved = await saveArticle(ctx.supabase, ctx.current.companyId, id, parsed.data);
  if (saved.error?.code === '42501') return errorResponse(403, 'forbidden', 'Only an admin of this company can do this.', ctx.headers);
  if (saved.error) throw new Error(`save help article: ${saved.error.message}`);
  if (!saved.id) return errorResponse(404, 'article_not_found', 'This article does not exist.', ctx.headers);
  if (!id) return redirect(`/help/${saved.id}`, { headers: ctx.headers });
  return json({ ok: true, message: 'Saved.' }, { headers: ctx.headers });
}

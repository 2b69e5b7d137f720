// Help center (admins): the company's articles, the Auto Bot default for new conversations, and "try a visitor's
// question" (?q=): what the search finds and whether the bot would answer with it (functions/_shared/help.ts).
import { type ActionFunctionArgs, json, type LoaderFunctionArgs } from '@remix-run/node';
import { BOT_CONFIDENCE_THRESHOLD, botAnswerArticles } from '../../../functions/_shared/help.ts';
import { errorResponse, requireAdmin } from '../../lib/auth.server.ts';
import { readForm } from '../../lib/validation.ts';
import { getBotDefault, listArticles, setBotDefault, type TriedArticle, tryQuestion } from '../../models/help-articles.server.ts';
import { botDefaultSchema, tryQuestionSchema } from '../../models/help-articles.ts';

export interface Tried {
  question: string;
  error?: string;
  matches: TriedArticle[];
  /** The ids the Auto Bot would answer with (none: it stays quiet and the conversation waits for a person). */
  answers: string[];
}

export async function loader({ request, context }: LoaderFunctionArgs) {
  const ctx = await requireAdmin(request, context);
  const q = new URL(request.url).searchParams.get('q');
  const question = q === null ? null : tryQuestionSchema.safeParse(q);
  const [articles, autoBotDefault, matches] = await Promise.all([
    listArticles(ctx.supabase, ctx.current.companyId),
    getBotDefault(ctx.supabase, ctx.current.companyId),
    question?.success ? tryQuestion(ctx.supabase, ctx.current.companyId, question.data) : null,
  ]);
  const tried: Tried | null =
    q === null ? null : question?.success ? { question: question.data, matches: matches ?? [], answers: botAnswerArticles(matches ?? []).map((m) => m.id) } : { question: q, error: question?.error.issues[0]?.message ?? 'Type a question.', matches: [], answers: [] };
  return json({ articles, autoBotDefault, tried, threshold: BOT_CONFIDENCE_THRESHOLD }, { headers: ctx.headers });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const ctx = await requireAdmin(request, context);
  const parsed = botDefaultSchema.safeParse(await readForm(request));
  if (!parsed.success) return errorResponse(422, 'validation_failed', 'Choose on or off.', ctx.headers);
  const error = await setBotDefault(ctx.supabase, ctx.current.companyId, parsed.data.autoBotDefault === 'true');
  if (error?.code === '42501') return errorResponse(403, 'forbidden', 'Only an admin of this company can do this.', ctx.headers);
  if (error) throw new Error(`auto bot default: ${error.message}`);
  return json({ ok: true }, { headers: ctx.headers });
}

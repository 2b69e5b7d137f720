// Help center (admins): the company's articles and the Auto Bot default for new conversations.
import { type ActionFunctionArgs, json, type LoaderFunctionArgs } from '@remix-run/node';
import { errorResponse, requireAdmin } from '../../lib/auth.server.ts';
import { readForm } from '../../lib/validation.ts';
import { getBotDefault, listArticles, setBotDefault } from '../../models/help-articles.server.ts';
import { botDefaultSchema } from '../../models/help-articles.ts';

export async function loader({ request, context }: LoaderFunctionArgs) {
  const ctx = await requireAdmin(request, context);
  const [articles, autoBotDefault] = await Promise.all([listArticles(ctx.supabase, ctx.current.companyId), getBotDefault(ctx.supabase, ctx.current.companyId)]);
  return json({ articles, autoBotDefault }, { headers: ctx.headers });
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

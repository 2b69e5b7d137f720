// GET  widget-help?key=pk_…&q=<words>&locale=en  — published articles of the widget's company matching the words
// GET  widget-help?key=pk_…&locale=de              — the newest published articles in a locale (first screen)
// GET  widget-help?key=pk_…&article=<id>           — one published article (drafts and other companies': 404)
// POST widget-help?key=pk_… {conversationId}       — "Talk to a person": Auto Bot off, agents alerted, once
// For the signed-in visitor on an allowed origin only; searches are rate limited per visitor (typing suggests).
import { z } from 'zod';
import { toMessage } from '../_shared/contract.ts';
import { dbError } from '../_shared/db.ts';
import { widgetEndpoint } from '../_shared/endpoint.ts';
import { type HelpArticle, toSummary } from '../_shared/help.ts';
import { HttpError, json, rateLimited, readJson } from '../_shared/http.ts';
import { invalidInput, plainText } from '../_shared/schemas.ts';
import { adminClient } from '../_shared/supabase.ts';
import { requireVisitor } from '../_shared/visitor.ts';

const SEARCHES_PER_MINUTE = 60;

const helpQuery = z
  .object({
    q: plainText().trim().max(300).optional(),
    locale: z.enum(['en', 'de']).default('en'),
    article: z.string().uuid().optional(),
    key: z.string(),
  })
  .strict();

const handoffRequest = z.object({ conversationId: z.string().uuid(), locale: z.enum(['en', 'de']).default('en') }).strict();

const HANDOFF_TEXT = {
  en: 'The visitor asked to talk to a person. The Auto Bot is off for this conversation.',
  de: 'Die Besucherin oder der Besucher möchte mit einem Menschen sprechen. Der Auto-Bot ist für dieses Gespräch aus.',
} as const;

export const handler = widgetEndpoint({ methods: ['GET', 'POST'] }, async ({ req, url, widget, origin }) => {
  const user = requireVisitor(req);
  const db = adminClient();

  if (req.method === 'POST') {
    const parsed = handoffRequest.safeParse(await readJson(req, 4_096));
    if (!parsed.success) throw invalidInput(parsed.error);
    const { data, error } = await db.rpc('widget_handoff', {
      p_widget_key: widget.widget_key,
      p_origin: origin,
      p_user_id: user.id,
      p_conversation_id: parsed.data.conversationId,
      p_body: HANDOFF_TEXT[parsed.data.locale],
    });
    if (error) throw dbError(error, 'handoff');
    const result = data as { handed_off: boolean; message?: Record<string, unknown> };
    return json({ handedOff: result.handed_off, message: result.message ? toMessage(result.message) : null }, 200);
  }

  const parsed = helpQuery.safeParse(Object.fromEntries(url.searchParams));
  if (!parsed.success) throw invalidInput(parsed.error, 'Some parameters are not valid.');
  const { q, locale, article } = parsed.data;

  if (article) {
    const { data, error } = await db.rpc('widget_help_article', { p_widget_key: widget.widget_key, p_origin: origin, p_article_id: article });
    if (error?.code === 'PLK04') throw new HttpError(404, 'article_not_found', 'This article does not exist or is not published.');
    if (error) throw dbError(error, 'article');
    const a = data as Record<string, unknown>;
    const found: HelpArticle = { id: String(a.id), title: String(a.title), body: String(a.body), locale: String(a.locale), category: (a.category as string | null) ?? null };
    return json({ article: found }, 200);
  }

  const { data: wait, error: limitError } = await db.rpc('widget_rate_limit', { p_bucket: `help:visitor:${user.id}`, p_max: SEARCHES_PER_MINUTE, p_window_seconds: 60 });
  if (limitError) throw dbError(limitError, 'rate limit');
  if (typeof wait === 'number' && wait > 0) throw rateLimited(wait);

  const { data, error } = q
    ? await db.rpc('widget_help_search', { p_widget_key: widget.widget_key, p_origin: origin, p_query: q, p_limit: 5 })
    : await db.rpc('widget_help_suggested', { p_widget_key: widget.widget_key, p_origin: origin, p_locale: locale, p_limit: 5 });
  if (error) throw dbError(error, 'search');
  return json({ articles: (data as Record<string, unknown>[]).map(toSummary) }, 200);
});

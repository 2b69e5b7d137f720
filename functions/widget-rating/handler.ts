// POST widget-rating?key=pk_… {conversationId, score, comment?} — the visitor rates their resolved conversation.
// GET  widget-rating?key=pk_…&conversationId=… — what the rating prompt needs: status, the company's scale, the
// rating so far. Only the conversation's own visitor, only once it is resolved (409 before); a second submit
// replaces the rating (one upsert in SQL). The database checks key, origin, company, ownership and the scale.
import { dbError } from '../_shared/db.ts';
import { widgetEndpoint } from '../_shared/endpoint.ts';
import { HttpError, json, readJson } from '../_shared/http.ts';
import { invalidInput } from '../_shared/schemas.ts';
import { adminClient } from '../_shared/supabase.ts';
import { utcMicros } from '../_shared/time.ts';
import { requireVisitor } from '../_shared/visitor.ts';
import { ratingQuery, ratingRequest } from './schemas.ts';

interface RatingRow {
  scale: 'five' | 'thumbs';
  score: number;
  comment: string | null;
  updated_at: string;
}

const toRating = (r: RatingRow | null) => (r ? { scale: r.scale, score: r.score, comment: r.comment, updatedAt: utcMicros(r.updated_at) } : null);

function ratingError(error: { code?: string; message?: string; details?: string | null }): Error {
  if (error.code === 'PLQ09') return new HttpError(409, 'conversation_not_resolved', 'A conversation can be rated once it is resolved.');
  if (error.code === 'PLQ22') return new HttpError(422, 'score_not_on_scale', 'That score is not on this chat\'s rating scale.', { scale: error.details ?? null });
  return dbError(error, 'rating');
}

export const handler = widgetEndpoint({ methods: ['GET', 'POST'] }, async ({ req, url, widget, origin }) => {
  const user = requireVisitor(req);
  if (req.method === 'GET') {
    const parsed = ratingQuery.safeParse(Object.fromEntries(url.searchParams));
    if (!parsed.success) throw invalidInput(parsed.error, 'Some parameters are not valid.');
    const { data, error } = await adminClient().rpc('widget_rating', {
      p_widget_key: widget.widget_key,
      p_origin: origin,
      p_user_id: user.id,
      p_conversation_id: parsed.data.conversationId,
    });
    if (error) throw ratingError(error);
    const found = data as { status: string; scale: RatingRow['scale']; rating: RatingRow | null };
    return json({ status: found.status, scale: found.scale, rating: toRating(found.rating) }, 200);
  }
  const parsed = ratingRequest.safeParse(await readJson(req));
  if (!parsed.success) throw invalidInput(parsed.error);
  const { data, error } = await adminClient().rpc('widget_rate_conversation', {
    p_widget_key: widget.widget_key,
    p_origin: origin,
    p_user_id: user.id,
    p_conversation_id: parsed.data.conversationId,
    p_score: parsed.data.score,
    p_comment: parsed.data.comment ?? null,
  });
  if (error) throw ratingError(error);
  return json({ rating: toRating(data as RatingRow) }, 200);
});

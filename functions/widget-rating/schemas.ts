// Input of widget-rating (zod): the conversation, a score (the database checks it against the company's scale)
// and an optional plain-text comment.
import { z } from 'zod';
import { plainText } from '../_shared/schemas.ts';

export const MAX_RATING_COMMENT = 1000;

export const ratingRequest = z.object({
  conversationId: z.string().uuid(),
  score: z.number().int().min(0).max(5),
  comment: plainText()
    .transform((s) => s.replace(/\r\n?/g, '\n').trim())
    .pipe(z.string().max(MAX_RATING_COMMENT, `A comment can be at most ${MAX_RATING_COMMENT} characters.`))
    .optional(),
});

export const ratingQuery = z.object({ conversationId: z.string().uuid() });

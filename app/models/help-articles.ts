// The help article form ⇄ help_articles row: one zod schema for the editor (browser-side hints) and the action.
import { z } from 'zod';
import { plainText } from '../lib/validation.ts';

export const HELP_LOCALES = ['en', 'de'] as const;

export const articleSchema = z.object({
  title: plainText().trim().min(1, 'Enter a title.').max(200, 'At most 200 characters.'),
  body: plainText({ multiline: true }).trim().min(1, 'Write the article.').max(20000, 'At most 20,000 characters.'),
  locale: z.enum(HELP_LOCALES, { message: 'Pick English or German.' }),
  category: plainText()
    .trim()
    .max(80, 'At most 80 characters.')
    .transform((s) => s || null),
  published: z.boolean(),
});
export type ArticleForm = z.output<typeof articleSchema>;

export const articleIdSchema = z.string().uuid();

/** Form fields → what the schema checks (a checkbox is on or absent). */
export function articleFormToInput(form: Record<string, string>) {
  return {
    title: form.title ?? '',
    body: form.body ?? '',
    locale: form.locale ?? '',
    category: form.category ?? '',
    published: form.published === 'on' || form.published === 'true',
  };
}

export const botDefaultSchema = z.object({ autoBotDefault: z.enum(['true', 'false']) });

/** "Try a visitor's question" (?q= on the help center): as long as a question the widget may search with. */
export const tryQuestionSchema = plainText().trim().min(1, 'Type a question.').max(300, 'At most 300 characters.');

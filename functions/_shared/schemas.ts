// Input schemas of the widget functions (zod). See docs/widget-api.md.
import { z } from 'zod';

export const MAX_MESSAGE_LENGTH = 4000;

export const widgetKey = z.string().regex(/^pk_[A-Za-z0-9_]{6,64}$/, 'A widget key looks like pk_… (letters, digits, underscores).');

export const messageBody = z
  .string()
  .transform((s) => s.trim())
  .pipe(z.string().min(1, 'A message cannot be empty.').max(MAX_MESSAGE_LENGTH, `A message can be at most ${MAX_MESSAGE_LENGTH} characters.`));

const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .optional()
    .transform((s) => (s ? s : undefined));

export const sessionRequest = z.object({
  widgetKey: widgetKey.optional(),
  name: optionalText(120),
  email: z
    .string()
    .trim()
    .max(254)
    .optional()
    .transform((s) => (s ? s : undefined))
    .pipe(z.string().email('Enter a valid email address.').optional()),
  phone: z
    .string()
    .trim()
    .max(40)
    .optional()
    .transform((s) => (s ? s : undefined))
    .pipe(z.string().regex(/^[+()\d\s.-]{5,40}$/, 'Enter a valid phone number.').optional()),
  firstMessage: z.object({ id: z.string().uuid(), body: messageBody }).optional(),
  page: z.object({ url: z.string().max(2048).optional(), title: z.string().max(300).optional() }).optional(),
  locale: z.string().max(35).optional(),
});

export const sendRequest = z.object({
  conversationId: z.string().uuid(),
  id: z.string().uuid(),
  body: messageBody,
  page: z.object({ url: z.string().max(2048).optional() }).optional(),
});

export const historyQuery = z.object({
  conversationId: z.string().uuid(),
  after: z.string().uuid().optional(),
  limit: z.coerce.number().int().min(1).max(100).default(100),
});

/** zod issues → our 400/422 error details. */
export function issues(err: z.ZodError): { field: string; message: string }[] {
  return err.issues.map((i) => ({ field: i.path.join('.') || '(body)', message: i.message }));
}

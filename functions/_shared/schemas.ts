// Input schemas of the widget functions (zod). See docs/widget-api.md.
import { z } from 'zod';
import { MAX_FILES_PER_MESSAGE, safeFileName, THUMBNAIL_MAX_BYTES } from './attachment-rules.ts';
import { HttpError } from './http.ts';
import { MAX_MESSAGE_LENGTH, PHONE_PATTERN } from './limits.ts';
import { hasControlCharacters } from './text-rules.ts';

// The characters no field may hold, checked here for every string the widget sends: the control characters of
// text-rules.ts (one rule with the widget: C0 but tab, line feed and carriage return, and DEL; NUL cannot even be
// stored in Postgres text) and UTF-16 surrogates without their pair (not Unicode; Postgres refuses them).
// A message body's carriage returns become line feeds (pasted text), so stored messages break lines one way.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const isPlain = (s: string) => !hasControlCharacters(s) && !LONE_SURROGATE.test(s);
export const INVALID_CHARACTERS = 'invalid_characters';
const invalidCharacters = { message: 'Control characters and broken Unicode are not allowed here.', params: { code: INVALID_CHARACTERS } };

/** A string without control characters or lone surrogates (every text field of the widget API). */
export const plainText = () => z.string().refine(isPlain, invalidCharacters);

export const widgetKey = z.string().regex(/^pk_[A-Za-z0-9_]{6,64}$/, 'A widget key looks like pk_… (letters, digits, underscores).');

export const messageBody = z
  .string()
  .transform((s) => s.replace(/\r\n?/g, '\n'))
  .refine(isPlain, invalidCharacters)
  .transform((s) => s.trim())
  .pipe(z.string().min(1, 'A message cannot be empty.').max(MAX_MESSAGE_LENGTH, `A message can be at most ${MAX_MESSAGE_LENGTH} characters.`));

const optionalText = (max: number) =>
  plainText()
    .trim()
    .max(max)
    .optional()
    .transform((s) => (s ? s : undefined));

export const sessionRequest = z.object({
  widgetKey: widgetKey.optional(),
  name: optionalText(120),
  email: plainText()
    .trim()
    .max(254)
    .optional()
    .transform((s) => (s ? s : undefined))
    .pipe(z.string().email('Enter a valid email address.').optional()),
  phone: plainText()
    .trim()
    .max(40)
    .optional()
    .transform((s) => (s ? s : undefined))
    .pipe(z.string().regex(PHONE_PATTERN, 'Enter a valid phone number.').optional()),
  firstMessage: z.object({ id: z.string().uuid(), body: messageBody }).optional(),
  page: z.object({ url: plainText().max(2048).optional(), title: plainText().max(300).optional() }).optional(),
  locale: plainText().max(35).optional(),
});

export const sendRequest = z.object({
  conversationId: z.string().uuid(),
  id: z.string().uuid(),
  body: messageBody,
  page: z.object({ url: plainText().max(2048).optional() }).optional(),
});

/** POST widget-attachments: a file the visitor is about to upload (the name is sanitised, not refused). */
export const attachmentRequest = z.object({
  conversationId: z.string().uuid(),
  id: z.string().uuid(),
  name: plainText().min(1).max(255).transform(safeFileName),
  contentType: z.string().max(255),
  size: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  thumbnail: z.object({ size: z.number().int().min(1).max(THUMBNAIL_MAX_BYTES) }).optional(),
});

/** A message body that may be empty (a message of files only). */
export const optionalMessageBody = z
  .string()
  .transform((s) => s.replace(/\r\n?/g, '\n'))
  .refine(isPlain, invalidCharacters)
  .transform((s) => s.trim())
  .pipe(z.string().max(MAX_MESSAGE_LENGTH, `A message can be at most ${MAX_MESSAGE_LENGTH} characters.`));

/** POST widget-messages with files: text (possibly empty) and 1 to 5 uploaded attachments of this conversation. */
export const sendWithFilesRequest = sendRequest.extend({
  body: optionalMessageBody.default(''),
  attachments: z.array(z.string().uuid()).min(1).max(MAX_FILES_PER_MESSAGE),
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

/** The fields refused for control characters or broken Unicode (then the answer is 400 invalid_characters). */
export function invalidCharacterFields(err: z.ZodError): { field: string; message: string }[] {
  return err.issues
    .filter((i) => i.code === 'custom' && (i as { params?: { code?: string } }).params?.code === INVALID_CHARACTERS)
    .map((i) => ({ field: i.path.join('.') || '(body)', message: i.message }));
}

/** A refused input → 400: invalid_characters when any field holds characters no field may hold, else invalid_request. */
export function invalidInput(err: z.ZodError, message = 'Some fields are not valid.'): HttpError {
  const bad = invalidCharacterFields(err);
  if (bad.length) return new HttpError(400, INVALID_CHARACTERS, 'Some fields contain control characters or broken Unicode, which are not allowed.', { fields: bad });
  return new HttpError(400, 'invalid_request', message, { fields: issues(err) });
}

export const seenRequest = z.object({
  conversationId: z.string().uuid(),
  messageId: z.string().uuid(),
});

/** POST widget-identify: identify()'s fields, and the email the widget asks for while away. */
export const identifyRequest = z.object({
  userId: plainText().trim().min(1).max(255).optional(),
  userHash: z.string().regex(/^[0-9a-fA-F]{64}$/, 'userHash is HMAC-SHA256(userId) in hex (64 digits).').optional(),
  name: sessionRequest.shape.name,
  email: sessionRequest.shape.email,
});

export const personMessagesQuery = z.object({ conversationId: z.string().uuid() });

// zod schemas shared by forms (client-side hints) and actions (the real check), plus field-error shaping
// and reading a form body safely.
import { z } from 'zod';
import { MAX_MESSAGE_LENGTH } from '../../functions/_shared/limits.ts';
import { CONTROL_CHARACTERS } from '../../functions/_shared/text-rules.ts';

export type FieldErrors = Record<string, string>;

/** First message per field, keyed by the form field name. */
export function fieldErrors(error: z.ZodError): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of error.issues) {
    const key = issue.path.length ? issue.path.map(String).join('.') : '_form';
    if (!(key in out)) out[key] = issue.message;
  }
  return out;
}

// Postgres cannot store NUL in text (a 500 before this check) and no other C0 control (or DEL) belongs in what
// we show: one rule with the functions and the widget (functions/_shared/text-rules.ts). Multi-line text (a reply,
// a greeting) may keep tab, line feed and carriage return; a single-line field may not.
export const CONTROL_CHARACTERS_MESSAGE = 'Remove the control characters (such as NUL) from this text.';

/** True when `s` holds a control character (line breaks and tabs allowed when `multiline`). */
export function hasControlCharacters(s: string, multiline = false): boolean {
  return CONTROL_CHARACTERS.test(s) || (!multiline && /[\t\n\r]/.test(s));
}

/** A string with no control characters: the base of every text field the dashboard accepts. */
export function plainText(opts: { multiline?: boolean } = {}) {
  return z.string().refine((s) => !hasControlCharacters(s, opts.multiline), CONTROL_CHARACTERS_MESSAGE);
}

export const emailSchema = plainText().trim().toLowerCase().email('Enter a valid email address.');

export const loginSchema = z.object({
  email: emailSchema,
  password: z.string().min(1, 'Enter your password.').max(72, 'Passwords are at most 72 characters.'),
  redirectTo: z.string().optional(),
});

export const sendMessageSchema = z.object({
  id: z.string().uuid('Message id must be a UUID.'),
  body: plainText({ multiline: true })
    .transform((s) => s.trim())
    .pipe(z.string().min(1, 'Write a message first.').max(MAX_MESSAGE_LENGTH, `Messages are at most ${MAX_MESSAGE_LENGTH} characters.`)),
});

export const conversationStatusSchema = z.enum(['open', 'pending', 'resolved']);

export const roleSchema = z.enum(['admin', 'agent']);

export const displayNameSchema = plainText().trim().min(1, 'Enter a display name.').max(80, 'At most 80 characters.');

export const addMemberSchema = z.object({
  email: emailSchema,
  displayName: displayNameSchema,
  password: z.string().min(8, 'At least 8 characters.').max(72, 'At most 72 characters.'),
  role: roleSchema,
});

export const changeRoleSchema = z.object({
  userId: z.string().uuid('Unknown member.'),
  role: roleSchema,
});

export const removeMemberSchema = z.object({
  userId: z.string().uuid('Unknown member.'),
});

function jsonError(status: number, code: string, message: string): Response {
  return new Response(JSON.stringify({ code, message }), { status, headers: { 'Content-Type': 'application/json; charset=utf-8' } });
}

/**
 * The request's form body, or a thrown 415/400 `{code, message}`: `request.formData()` throws on a JSON,
 * text or malformed multipart body, which every action would otherwise turn into a 500.
 */
export async function readFormData(request: Request): Promise<FormData> {
  const type = (request.headers.get('Content-Type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded' && type !== 'multipart/form-data') {
    throw jsonError(415, 'unsupported_media_type', 'Send the form as application/x-www-form-urlencoded or multipart/form-data.');
  }
  let form: FormData;
  try {
    form = await request.formData();
  } catch {
    throw jsonError(400, 'malformed_form', 'The form body could not be read.');
  }
  // Every field of every form, those no schema reads as text included (a checkbox, a number that is ignored, a
  // password, a redirect target): control characters are refused at the door, never quietly read as "unchecked".
  const refused: FieldErrors = {};
  const seen = new Map<string, number>();
  const names = [...form.keys()];
  for (const [name, value] of form.entries()) {
    const index = seen.get(name) ?? 0;
    seen.set(name, index + 1);
    if (typeof value !== 'string' || !CONTROL_CHARACTERS.test(value)) continue;
    // A repeated field (allowed origins) is named by position, as zod names array items.
    refused[names.filter((n) => n === name).length > 1 ? `${name}.${index}` : name] = CONTROL_CHARACTERS_MESSAGE;
  }
  if (Object.keys(refused).length) {
    throw new Response(JSON.stringify({ code: 'validation_failed', message: CONTROL_CHARACTERS_MESSAGE, fieldErrors: refused }), {
      status: 422,
      headers: { 'Content-Type': 'application/json; charset=utf-8' },
    });
  }
  return form;
}

/** `readFormData` as a plain object (last value wins), for zod. */
export async function readForm(request: Request): Promise<Record<string, string>> {
  return formObject(await readFormData(request));
}

/** FormData → plain object (last value wins), for zod. */
export function formObject(form: FormData): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of form.entries()) if (typeof v === 'string') out[k] = v;
  return out;
}

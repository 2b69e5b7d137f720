// zod schemas shared by forms (client-side hints) and actions (the real check), plus field-error shaping.
import { z } from 'zod';

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

export const loginSchema = z.object({
  email: z.string().trim().toLowerCase().email('Enter a valid email address.'),
  password: z.string().min(1, 'Enter your password.').max(72, 'Passwords are at most 72 characters.'),
  redirectTo: z.string().optional(),
});

export const MESSAGE_MAX_LENGTH = 4000;

export const sendMessageSchema = z.object({
  id: z.string().uuid('Message id must be a UUID.'),
  body: z
    .string()
    .transform((s) => s.trim())
    .pipe(z.string().min(1, 'Write a message first.').max(MESSAGE_MAX_LENGTH, `Messages are at most ${MESSAGE_MAX_LENGTH} characters.`)),
});

export const conversationStatusSchema = z.enum(['open', 'pending', 'resolved']);

export const roleSchema = z.enum(['admin', 'agent']);

export const addMemberSchema = z.object({
  email: z.string().trim().toLowerCase().email('Enter a valid email address.'),
  displayName: z.string().trim().min(1, 'Enter a display name.').max(80, 'At most 80 characters.'),
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

/** FormData → plain object (last value wins), for zod. */
export function formObject(form: FormData): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of form.entries()) if (typeof v === 'string') out[k] = v;
  return out;
}

// zod schemas of the invitation flow, shared by the team page, /auth/confirm and /invitations.
import { z } from 'zod';
import { displayNameSchema, emailSchema, plainText, roleSchema } from '../lib/validation.ts';

export const inviteMemberSchema = z.object({
  email: emailSchema,
  displayName: displayNameSchema,
  role: roleSchema,
});

export const revokeInvitationSchema = z.object({
  invitationId: z.string().uuid('Unknown invitation.'),
});

export const NEW_PASSWORD_MIN = 8;

export const acceptInvitationSchema = z.object({
  invitationId: z.string().uuid('Unknown invitation.'),
  // Required only for someone who arrived through an invite link and has no password yet (checked by the action).
  password: z
    .string()
    .max(72, 'At most 72 characters.')
    .refine((p) => p === '' || [...p].length >= NEW_PASSWORD_MIN, `At least ${NEW_PASSWORD_MIN} characters.`)
    .optional()
    .default(''),
});

/** The query of an email link's landing page: /auth/confirm?token_hash=…&type=invite&next=/invitations */
export const confirmLinkSchema = z.object({
  token_hash: plainText().pipe(z.string().regex(/^[A-Za-z0-9_-]{16,200}$/, 'Malformed link.')),
  type: z.enum(['invite', 'signup', 'email', 'magiclink', 'recovery', 'email_change']),
  next: z.string().max(2000).optional(),
});

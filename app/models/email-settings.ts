// The company's email follow-up settings (ADR 0014): the form's schema, shared by the page and its action.
import { z } from 'zod';

export const emailSettingsSchema = z.object({
  followUpMinutes: z.coerce.number().int('Enter whole minutes.').min(1, 'At least 1 minute.').max(1440, 'At most 1440 minutes (a day).'),
  replyTo: z
    .string()
    .trim()
    .max(254, 'At most 254 characters.')
    .refine((s) => s === '' || /^[^@\s]+@[^@\s]+$/.test(s), 'Enter an email address, or leave it empty.'),
});
export type EmailSettings = z.infer<typeof emailSettingsSchema>;

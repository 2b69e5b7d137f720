// What connecting a Meta channel takes: shared by the meta-channels function and the dashboard's settings form.
import { z } from 'zod';

const secret = z.string().trim().min(1, 'Required.').max(1000);

export const channelFields = z.object({
  platform: z.enum(['facebook', 'instagram']),
  pageId: z.string().trim().regex(/^[0-9]{1,32}$/, 'A page id is digits only.'),
  pageToken: secret,
  appSecret: secret,
  verifyToken: z.string().trim().min(8, 'Use at least 8 characters.').max(200),
});

export const connectRequest = channelFields.extend({ companyId: z.string().uuid(), channelId: z.string().uuid().optional() });

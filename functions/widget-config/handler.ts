// GET widget-config?key=pk_… → the widget's public appearance and pre-chat settings, for allowed origins only,
// with the company's typical reply time (median first response of 7 days, cached in the database).
import { toPublicConfig } from '../_shared/contract.ts';
import { dbError } from '../_shared/db.ts';
import { widgetEndpoint } from '../_shared/endpoint.ts';
import { json } from '../_shared/http.ts';
import { CONFIG_MAX_AGE_SECONDS } from '../_shared/limits.ts';
import { adminClient } from '../_shared/supabase.ts';

// Read fresh from the database (not the few-seconds cache): a saved change shows on the next uncached read.
export const handler = widgetEndpoint({ methods: ['GET'], fresh: true }, async ({ widget }) => {
  const { data, error } = await adminClient().rpc('widget_typical_reply_minutes', { p_company_id: widget.company_id });
  if (error) throw dbError(error, 'reply time');
  const minutes = typeof data === 'number' ? data : null;
  // A returning visitor's next page views read this from the browser's cache: no Edge Function invocation
  // (each is billed) for up to 5 minutes, which is how long a saved change may take to reach them.
  return json(toPublicConfig(widget, widget.companies?.name ?? '', minutes), 200, { 'Cache-Control': `private, max-age=${CONFIG_MAX_AGE_SECONDS}` });
});

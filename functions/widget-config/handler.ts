// GET widget-config?key=pk_… → the widget's public appearance and pre-chat settings, for allowed origins only,
// with the company's typical reply time (median first response of 7 days, cached in the database) and away state.
import { type AwayState, toPublicConfig } from '../_shared/contract.ts';
import { dbError } from '../_shared/db.ts';
import { widgetEndpoint } from '../_shared/endpoint.ts';
import { json } from '../_shared/http.ts';
import { CONFIG_MAX_AGE_SECONDS } from '../_shared/limits.ts';
import { adminClient } from '../_shared/supabase.ts';

// Read fresh from the database (not the few-seconds cache): a saved change shows on the next uncached read.
export const handler = widgetEndpoint({ methods: ['GET'], fresh: true }, async ({ widget }) => {
  const db = adminClient();
  const [reply, away, help] = await Promise.all([
    db.rpc('widget_typical_reply_minutes', { p_company_id: widget.company_id }),
    db.rpc('widget_away_state', { p_company_id: widget.company_id }),
    // One published article is enough to know the panel needs the help chunk; a company without any never loads it.
    db.from('help_articles').select('id').eq('company_id', widget.company_id).eq('published', true).limit(1),
  ]);
  if (reply.error) throw dbError(reply.error, 'reply time');
  if (away.error) throw dbError(away.error, 'away state');
  if (help.error) throw dbError(help.error, 'help articles');
  const minutes = typeof reply.data === 'number' ? reply.data : null;
  // A returning visitor's next page views read this from the browser's cache: no Edge Function invocation
  // (each is billed) for up to 5 minutes, which is how long a saved change may take to reach them.
  // Office hours are as of this answer: a page opened before a change learns it on its next uncached read.
  const config = { ...toPublicConfig(widget, widget.companies?.name ?? '', minutes), away: (away.data ?? null) as AwayState | null, requireVerification: widget.require_verification === true, hasHelpArticles: (help.data ?? []).length > 0 };
  return json(config, 200, { 'Cache-Control': `private, max-age=${CONFIG_MAX_AGE_SECONDS}` });
});

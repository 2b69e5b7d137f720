// GET widget-config?key=pk_… → the widget's public appearance and pre-chat settings, for allowed origins only.
import { errorResponse, HttpError, json } from '../_shared/http.ts';
import { corsHeaders, findWidget, originAllowed, requireOrigin } from '../_shared/widget.ts';

/** How long a browser may reuse the settings it read (docs/widget-api.md). */
export const CONFIG_MAX_AGE_SECONDS = 300;

export async function handler(req: Request): Promise<Response> {
  const origin = req.headers.get('origin');
  let cors: Record<string, string> = { Vary: 'Origin' };
  try {
    const widget = await findWidget(new URL(req.url).searchParams.get('key'), { fresh: true });
    cors = corsHeaders(origin, originAllowed(widget, origin));
    if (req.method === 'OPTIONS') {
      requireOrigin(widget, origin);
      return new Response(null, { status: 204, headers: cors });
    }
    if (req.method !== 'GET') throw new HttpError(405, 'method_not_allowed', 'Use GET.');
    requireOrigin(widget, origin);
    return json(
      {
        key: widget.widget_key,
        companyName: widget.companies?.name ?? '',
        title: widget.title,
        greeting: widget.greeting,
        launcherLabel: widget.launcher_label,
        primaryColor: widget.primary_color,
        accentColor: widget.accent_color,
        position: widget.position,
        autoOpenAfterSeconds: widget.auto_open_after_seconds,
        locale: widget.locale,
        prechat: { name: widget.prechat_name, email: widget.prechat_email, phone: widget.prechat_phone },
      },
      200,
      // A returning visitor's next page views read this from the browser's cache: no Edge Function invocation
      // (each is billed) for up to 5 minutes, which is how long a saved change may take to reach them.
      { ...cors, 'Cache-Control': `private, max-age=${CONFIG_MAX_AGE_SECONDS}` },
    );
  } catch (err) {
    return errorResponse(err, cors);
  }
}

// The preamble every widget function shares, in one place: find the widget by ?key=, answer CORS for allowed
// origins only (the preflight too), refuse other methods and origins, and turn any error into {code, message}.
import { errorResponse, HttpError } from './http.ts';
import { corsHeaders, originAllowed, requireOrigin } from './origin.ts';
import { findWidget, type Widget } from './widget-lookup.ts';

export interface WidgetRequest {
  req: Request;
  url: URL;
  widget: Widget;
  /** The page's origin, already checked against the widget's allow-list. */
  origin: string;
}

export interface EndpointOptions {
  /** The methods besides OPTIONS the endpoint answers. */
  methods: readonly ('GET' | 'POST')[];
  /** Read the widget from the database, not the few-seconds cache (widget-lookup.ts). */
  fresh?: boolean;
}

/** A Deno.serve handler for a widget endpoint; `handle` runs only for an allowed origin and method. */
export function widgetEndpoint(options: EndpointOptions, handle: (r: WidgetRequest) => Promise<Response>) {
  return async (req: Request): Promise<Response> => {
    const origin = req.headers.get('origin');
    let cors: Record<string, string> = { Vary: 'Origin' };
    try {
      const url = new URL(req.url);
      const widget = await findWidget(url.searchParams.get('key'), { fresh: options.fresh });
      cors = corsHeaders(origin, originAllowed(widget, origin));
      if (req.method === 'OPTIONS') {
        requireOrigin(widget, origin);
        return new Response(null, { status: 204, headers: cors });
      }
      if (!(options.methods as readonly string[]).includes(req.method)) {
        throw new HttpError(405, 'method_not_allowed', `Use ${options.methods.join(' or ')}.`);
      }
      requireOrigin(widget, origin);
      const res = await handle({ req, url, widget, origin });
      for (const [name, value] of Object.entries(cors)) res.headers.set(name, value);
      return res;
    } catch (err) {
      return errorResponse(err, cors);
    }
  };
}

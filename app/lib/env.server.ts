// Settings the dashboard reads from its environment, validated with zod; read at call time (tests and
// startDashboard set them late), and checked once at boot by app/serve.ts so a missing one is named at once.
import { z } from 'zod';

const url = (what: string) => z.string({ error: `${what} is not set` }).url(`${what} must be a URL (https://…)`);

const schema = z.object({
  SUPABASE_URL: url('SUPABASE_URL'),
  SUPABASE_ANON_KEY: z.string({ error: 'SUPABASE_ANON_KEY is not set' }).min(20, 'SUPABASE_ANON_KEY is not an anon or publishable key'),
  SUPABASE_SERVICE_ROLE_KEY: z.string().min(20, 'SUPABASE_SERVICE_ROLE_KEY is not a service_role or secret key').optional(),
  WIDGET_SCRIPT_URL: url('WIDGET_SCRIPT_URL').optional(),
});

/** Where `npm start` serves the widget; a hosted dashboard must say where its widget really is. */
const LOCAL_WIDGET_SCRIPT = 'http://127.0.0.1:3001/widget.js';

export interface DashboardEnv {
  supabaseUrl: string;
  anonKey: string;
  /** Server-only: used by admin actions that GoTrue's admin API requires (creating an agent's login). */
  serviceRoleKey: string | undefined;
  /** The widget.js the embed code on the settings page points at. */
  widgetScriptUrl: string;
}

/** The environment's problems, one line each (empty when valid); `hosted` also requires WIDGET_SCRIPT_URL. */
export function envProblems(source: Record<string, string | undefined>, { hosted = false } = {}): string[] {
  const blank = (v: string | undefined) => (v === '' ? undefined : v);
  const parsed = schema.safeParse(Object.fromEntries(Object.keys(schema.shape).map((k) => [k, blank(source[k])])));
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => i.message);
  if (hosted && !blank(source.WIDGET_SCRIPT_URL)) problems.push('WIDGET_SCRIPT_URL is not set (the URL of widget.js where you host widget/dist)');
  return problems;
}

// Read on every request (the request's Supabase client): validated once per set of values, not per call.
let checked: { key: string; value: DashboardEnv } | null = null;

export function env(): DashboardEnv {
  const key = [process.env.SUPABASE_URL, process.env.SUPABASE_ANON_KEY, process.env.SUPABASE_SERVICE_ROLE_KEY, process.env.WIDGET_SCRIPT_URL].join('\n');
  if (checked?.key === key) return checked.value;
  const problems = envProblems(process.env);
  if (problems.length) throw new Error(`The dashboard's environment is incomplete: ${problems.join('; ')}`);
  checked = { key, value: read() };
  return checked.value;
}

function read(): DashboardEnv {
  return {
    supabaseUrl: process.env.SUPABASE_URL!,
    anonKey: process.env.SUPABASE_ANON_KEY!,
    serviceRoleKey: process.env.SUPABASE_SERVICE_ROLE_KEY || undefined,
    widgetScriptUrl: process.env.WIDGET_SCRIPT_URL || LOCAL_WIDGET_SCRIPT,
  };
}

/** What the browser may know: the project URL and the public (anon) key, for Realtime. */
export function publicEnv() {
  const e = env();
  return { supabaseUrl: e.supabaseUrl, anonKey: e.anonKey };
}

// Settings the dashboard reads from its environment, at call time (tests and startDashboard set them late).
export interface DashboardEnv {
  supabaseUrl: string;
  anonKey: string;
  /** Server-only: used by admin actions that GoTrue's admin API requires (creating an agent's login). */
  serviceRoleKey: string | undefined;
  widgetScriptUrl: string;
}

export function env(): DashboardEnv {
  const supabaseUrl = process.env.SUPABASE_URL;
  const anonKey = process.env.SUPABASE_ANON_KEY;
  if (!supabaseUrl || !anonKey) {
    throw new Error('SUPABASE_URL and SUPABASE_ANON_KEY must be set for the dashboard');
  }
  return {
    supabaseUrl,
    anonKey,
    serviceRoleKey: process.env.SUPABASE_SERVICE_ROLE_KEY || undefined,
    widgetScriptUrl: process.env.WIDGET_SCRIPT_URL || 'http://127.0.0.1:3001/widget.js',
  };
}

/** What the browser may know: the project URL and the public (anon) key, for Realtime. */
export function publicEnv() {
  const e = env();
  return { supabaseUrl: e.supabaseUrl, anonKey: e.anonKey };
}

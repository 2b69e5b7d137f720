// `npm start`: the local Supabase, then (as they arrive) the dashboard and the demo page with the widget.
import { printStatus, runStack } from '../supabase/local/main.ts';

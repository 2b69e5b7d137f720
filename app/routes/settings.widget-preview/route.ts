// GET /settings/widget-preview — resource route (no UI): the page inside the settings preview iframe.
export { loader } from './preview.server.ts';

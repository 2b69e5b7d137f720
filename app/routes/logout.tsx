export { action, loader } from '../lib/logout.server.ts';

// Placeholder: the /realtime/v1 service of the stand-in.
import { sendJson, type ServiceFactory } from '../context.ts';

export const createRealtimeService: ServiceFactory = () => ({
  async handle(_req, res) {
    sendJson(res, 501, { message: 'realtime is not implemented yet' });
  },
});

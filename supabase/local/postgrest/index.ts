// Placeholder: the /rest/v1 service of the stand-in.
import { sendJson, type ServiceFactory } from '../context.ts';

export const createRestService: ServiceFactory = () => ({
  async handle(_req, res) {
    sendJson(res, 501, { message: 'rest is not implemented yet' });
  },
});

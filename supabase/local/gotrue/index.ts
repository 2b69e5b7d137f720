// Placeholder: the /auth/v1 service of the stand-in.
import { sendJson, type ServiceFactory } from '../context.ts';

export const createAuthService: ServiceFactory = () => ({
  async handle(_req, res) {
    sendJson(res, 501, { message: 'auth is not implemented yet' });
  },
});

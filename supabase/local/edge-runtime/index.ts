// Placeholder: the /functions/v1 service of the stand-in.
import { sendJson, type ServiceFactory } from '../context.ts';

export const createFunctionsService: ServiceFactory = () => ({
  async handle(_req, res) {
    sendJson(res, 501, { message: 'functions is not implemented yet' });
  },
});

import type { FastifyInstance } from 'fastify';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { Queues } from '@steward/store';
import { QUEUES } from '@steward/core';
import type { Authenticator } from './auth.ts';
import { sendError } from './errors.ts';

export const ADMIN_QUEUES_PATH = '/admin/queues';

/**
 * bull-board on `/admin/queues`, behind the admin credential (Bearer, or HTTP Basic with the
 * token as password so a browser can log in). Without ADMIN_TOKEN it is not mounted at all.
 */
export async function mountAdminQueues(app: FastifyInstance, queues: Queues, auth: Authenticator): Promise<void> {
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(ADMIN_QUEUES_PATH);
  createBullBoard({ queues: Object.values(QUEUES).map((name) => new BullMQAdapter(queues[name])), serverAdapter });
  await app.register(
    async (scope) => {
      scope.addHook('onRequest', async (req, reply) => {
        if (auth.admin(req)) return;
        reply.header('www-authenticate', 'Basic realm="steward admin", charset="UTF-8"');
        return sendError(reply, 401, 'unauthorized', 'admin credential required');
      });
      await scope.register(serverAdapter.registerPlugin() as never);
    },
    { prefix: ADMIN_QUEUES_PATH },
  );
}

import type { FastifyInstance } from 'fastify';
import { principals, type IntakeContext as IngressContext } from '@steward/store';
import { rawBodyOf } from '../input/hardened-json.ts';
import { replyError } from '../input/reply-error.ts';
import { verifyMeta, verifyMetaHandshake } from '../verify/meta.ts';
import { single } from '../verify/verdict.ts';
import { WhatsAppPayload } from './platform-schemas.ts';
import type { RouteSettings } from './route-options.ts';
import { submitMessages } from './submit.ts';
import { whatsappMessages } from './to-messages.ts';

// Messages from this adapter belong to the platform integration: one principal for all its users.
const PRINCIPAL = principals.channel('whatsapp', 'platform');

/** WhatsApp Cloud API callback URL: `GET` (subscription handshake) and `POST /v1/channels/whatsapp/webhook`. */
export function whatsappRoute(app: FastifyInstance, ctx: IngressContext, s: RouteSettings): void {
  app.get('/v1/channels/whatsapp/webhook', async (req, reply) => {
    const h = verifyMetaHandshake((req.query ?? {}) as Record<string, unknown>, s.config.whatsapp?.verifyToken);
    if (!h.ok) return replyError(reply, h.code === 'channel_not_configured' ? 401 : 403, h.code, h.message);
    return reply.type('text/plain; charset=utf-8').send(h.challenge);
  });

  app.post('/v1/channels/whatsapp/webhook', async (req, reply) => {
    const v = verifyMeta(rawBodyOf(req) ?? Buffer.alloc(0), single(req.headers['x-hub-signature-256']), s.config.whatsapp?.appSecret);
    if (!v.ok) return replyError(reply, 401, v.code, v.message);
    const parsed = WhatsAppPayload.safeParse(req.body);
    if (!parsed.success) return replyError(reply, 400, 'invalid_payload', 'not a WhatsApp Cloud API webhook payload');
    const messages = whatsappMessages(parsed.data);
    // Delivery receipts (statuses[]) and media are acknowledged so Meta does not retry them.
    if (messages.length === 0) return { ok: true, ignored: 'no text messages' };
    const r = await submitMessages(ctx, req, reply, messages, { ...s, principal: PRINCIPAL });
    if (r.kind === 'replied') return reply;
    // Skipped messages are acknowledged with the batch: a retry would skip them again.
    return {
      ok: true,
      accepted: r.results.length,
      ...(r.skipped.length ? { skipped: r.skipped.map((x) => ({ messageId: x.messageId, code: x.code })) } : {}),
    };
  });
}

import type { FastifyInstance } from 'fastify';
import { PLATFORM_CHANNELS, principals, type IntakeContext as IngressContext } from '@steward/store';
import { PULL_CHANNELS } from '../constants.ts';
import { rawBodyOf } from '../input/hardened-json.ts';
import { replyError } from '../input/reply-error.ts';
import { channelKeys } from '../keys.ts';
import { rememberSignature } from '../replay-guard.ts';
import { verifyWebhook } from '../verify/webhook.ts';
import { single } from '../verify/verdict.ts';
import { WebhookMessage } from './platform-schemas.ts';
import type { RouteSettings } from './route-options.ts';
import { submitMessages } from './submit.ts';

const CHANNEL = /^[a-z0-9_-]{1,64}$/;

/** Any other platform, signed with steward's scheme: `POST /v1/channels/webhook/:channel`. */
export function webhookRoute(app: FastifyInstance, ctx: IngressContext, s: RouteSettings): void {
  const secrets = new Map(Object.entries(s.config.webhooks?.secrets ?? {}));
  const keys = channelKeys(ctx.keys.prefix);
  app.post<{ Params: { channel: string } }>('/v1/channels/webhook/:channel', async (req, reply) => {
    const channel = req.params.channel;
    // Pull channels, the platforms with their own adapters and `operator` are other principals.
    if (!CHANNEL.test(channel) || PULL_CHANNELS.has(channel) || PLATFORM_CHANNELS.has(channel) || channel === 'operator' || !secrets.has(channel)) {
      return replyError(reply, 401, 'unknown_channel', 'no webhook secret is configured for this channel');
    }
    const signature = single(req.headers['x-steward-signature']);
    const v = verifyWebhook(
      { rawBody: rawBodyOf(req) ?? Buffer.alloc(0), timestamp: single(req.headers['x-steward-timestamp']), signature },
      secrets.get(channel),
      s.nowSec(),
      s.toleranceSec,
    );
    if (!v.ok) return replyError(reply, 401, v.code, v.message);
    const fresh = await rememberSignature(ctx.redis, keys, channel, signature!, s.toleranceSec);
    if (!fresh.ok) return replyError(reply, 401, fresh.code, fresh.message);
    const parsed = WebhookMessage.safeParse(req.body);
    if (!parsed.success) {
      const details = parsed.error.issues.map((i) => ({ field: i.path.join('.') || '(body)', message: i.message }));
      return replyError(reply, 400, 'invalid_request', 'the message failed validation', details);
    }
    const m = parsed.data;
    const r = await submitMessages(
      ctx,
      req,
      reply,
      [
        {
          channel,
          messageId: m.messageId,
          text: m.text,
          ...(m.conversationId === undefined ? {} : { conversationId: m.conversationId }),
          ...(m.customerId === undefined ? {} : { customerId: m.customerId }),
          ...(m.recipient === undefined ? {} : { recipient: m.recipient }),
          ...(m.locale === undefined ? {} : { locale: m.locale }),
        },
      ],
      { ...s, principal: principals.channel(channel, 'platform') },
    );
    if (r.kind === 'replied') return reply;
    // One message per request here, sent by an integration that can fix it: say what was wrong.
    const skipped = r.skipped[0];
    if (skipped) return replyError(reply, 400, skipped.code, skipped.message);
    const first = r.results[0]!;
    return reply.code(202).send({ queryId: first.queryId, conversationId: first.conversationId, status: 'queued', duplicate: first.duplicate });
  });
}

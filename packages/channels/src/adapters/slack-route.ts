import type { FastifyInstance } from 'fastify';
import { principals, type IntakeContext as IngressContext } from '@steward/store';
import { rawBodyOf } from '../input/hardened-json.ts';
import { replyError } from '../input/reply-error.ts';
import { verifySlack } from '../verify/slack.ts';
import { single } from '../verify/verdict.ts';
import { SlackEnvelope } from './platform-schemas.ts';
import type { RouteSettings } from './route-options.ts';
import { submitMessages } from './submit.ts';
import { slackMessage } from './to-messages.ts';

// Messages from this adapter belong to the platform integration: one principal for all its users.
const PRINCIPAL = principals.channel('slack', 'platform');

/** Slack Events API request URL: `POST /v1/channels/slack/events`. */
export function slackRoute(app: FastifyInstance, ctx: IngressContext, s: RouteSettings): void {
  app.post('/v1/channels/slack/events', async (req, reply) => {
    const v = verifySlack(
      {
        rawBody: rawBodyOf(req) ?? Buffer.alloc(0),
        timestamp: single(req.headers['x-slack-request-timestamp']),
        signature: single(req.headers['x-slack-signature']),
      },
      s.config.slack?.signingSecret,
      s.nowSec(),
      s.toleranceSec,
    );
    if (!v.ok) return replyError(reply, 401, v.code, v.message);
    const parsed = SlackEnvelope.safeParse(req.body);
    if (!parsed.success) return replyError(reply, 400, 'invalid_payload', 'not a Slack Events API payload');
    const env = parsed.data;
    if (env.type === 'url_verification') return { challenge: env.challenge };
    if (env.type !== 'event_callback') return { ok: true, ignored: env.type };
    const msg = slackMessage(env);
    if (!msg) return { ok: true, ignored: 'not a user message' };
    // Slack retries when we were slow (3 s) or failed. If the first delivery was recorded, only
    // acknowledge; if it was lost, this retry is the message and goes through (dedupe still holds).
    if (req.headers['x-slack-retry-num'] !== undefined && (await ctx.redis.exists(ctx.keys.dedupe(PRINCIPAL.id, 'slack', msg.messageId)))) {
      return { ok: true, retry: true };
    }
    const r = await submitMessages(ctx, req, reply, [msg], { ...s, principal: PRINCIPAL });
    if (r.kind === 'replied') return reply;
    const skipped = r.skipped[0];
    if (skipped) return { ok: true, ignored: skipped.code };
    return { ok: true, duplicate: r.results[0]?.duplicate ?? false };
  });
}

import type { FastifyInstance } from 'fastify';
import { principals, type IntakeContext as IngressContext } from '@steward/store';
import { replyError } from '../input/reply-error.ts';
import { verifyTelegram } from '../verify/telegram.ts';
import { single } from '../verify/verdict.ts';
import { TelegramUpdate } from './platform-schemas.ts';
import type { RouteSettings } from './route-options.ts';
import { submitMessages } from './submit.ts';
import { telegramMessage } from './to-messages.ts';

// Messages from this adapter belong to the platform integration: one principal for all its users.
const PRINCIPAL = principals.channel('telegram', 'platform');

/** Telegram setWebhook URL: `POST /v1/channels/telegram/webhook`. */
export function telegramRoute(app: FastifyInstance, ctx: IngressContext, s: RouteSettings): void {
  app.post('/v1/channels/telegram/webhook', async (req, reply) => {
    const v = verifyTelegram(single(req.headers['x-telegram-bot-api-secret-token']), s.config.telegram?.secretToken);
    if (!v.ok) return replyError(reply, 401, v.code, v.message);
    const parsed = TelegramUpdate.safeParse(req.body);
    if (!parsed.success) return replyError(reply, 400, 'invalid_payload', 'not a Telegram Update');
    const msg = telegramMessage(parsed.data);
    if (!msg) return { ok: true, ignored: 'not a text message' };
    const r = await submitMessages(ctx, req, reply, [msg], { ...s, principal: PRINCIPAL });
    if (r.kind === 'replied') return reply;
    // A stale or unusable update is acknowledged: Telegram would otherwise resend it for a day.
    const skipped = r.skipped[0];
    if (skipped) return { ok: true, ignored: skipped.code };
    return { ok: true, duplicate: r.results[0]?.duplicate ?? false, truncated: r.results[0]?.truncated ?? false };
  });
}

// The archive reads the event stream leniently: it needs an id, a type and a time; event types
// it does not know (added by a newer service) are stored as raw events, never refused.
import { z } from 'zod';

export const ArchivedEvent = z.object({
  id: z.string().min(1),
  type: z.string().min(1),
  ts: z.number(),
  queryId: z.string().optional(),
  conversationId: z.string().optional(),
  traceId: z.string().optional(),
  data: z.record(z.string(), z.unknown()).default({}),
});
export type ArchivedEvent = z.infer<typeof ArchivedEvent>;

/** The `e` field of a stream entry → an event, or undefined when it is not one. */
export function parseArchivedEvent(json: string | undefined): ArchivedEvent | undefined {
  if (json === undefined) return undefined;
  try {
    const r = ArchivedEvent.safeParse(JSON.parse(json));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}

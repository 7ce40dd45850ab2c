// A platform message steward cannot take as is. Platforms allow longer texts than steward
// (Telegram and WhatsApp 4,096 characters, Slack 40,000) and may send malformed Unicode; refusing
// such a message would fail the whole webhook, drop the other messages of a WhatsApp batch, and
// fail again on every retry. So the text is made acceptable instead, and the model is told.

/** What is appended to a cut message, so the agent can say it only read the beginning. */
export const truncationNote = (original: number, kept: number): string =>
  `\n[steward: the customer's message had ${original} characters; only the first ${kept} are shown]`;

/** The text cut to `maxChars` (note included) and made well-formed, without NUL characters. */
export function fitPlatformText(text: string, maxChars: number): { text: string; truncated: boolean } {
  const clean = text.toWellFormed().replaceAll('\u0000', '');
  if (clean.trim().length <= maxChars) return { text: clean, truncated: false };
  const note = truncationNote(clean.length, 0);
  // The note's own digits can grow by a few characters: reserve for them.
  let kept = Math.max(0, maxChars - note.length - 8);
  // Never split a surrogate pair: the cut text must stay well-formed.
  if (kept > 0 && /[\uD800-\uDBFF]/.test(clean[kept - 1]!)) kept--;
  return { text: clean.slice(0, kept) + truncationNote(clean.length, kept), truncated: true };
}

/** Platform timestamps are Unix seconds; one in the future by more than this is a forgery or a broken clock. */
export const MAX_CLOCK_SKEW_SEC = 300;

/**
 * Whether a platform message is too old to act on. A captured webhook replayed after the
 * de-duplication record of its message id expired would otherwise be processed again, so the
 * accepted age must stay below the de-duplication window (checked where the limit is set).
 */
export function tooOld(sentAtSec: number | undefined, nowSec: number, maxAgeSec: number): boolean {
  if (sentAtSec === undefined) return false;
  return nowSec - sentAtSec > maxAgeSec || sentAtSec - nowSec > MAX_CLOCK_SKEW_SEC;
}

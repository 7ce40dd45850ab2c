// Did the customer say "yes" to the action we listed? A false "yes" runs a write the customer
// did not want, a false "no" only costs one more question: so every rule here errs towards
// "no". A question, a negation, or a hedge ("but", "instead") is never a confirmation.

// --- English (the affirmative must open the message, after at most a few filler words:
// "the right size" or "is it ok to…" somewhere in a sentence is not a yes) ---
/** Affirmative phrases that contain a negation word: read as "yes" before negations are checked. */
const EN_NEGATED_YES = /\b(no problem|no worries|not a problem)\b/g;
const EN_FILLERS = String.raw`(?:(?:oh|ah|well|um|uh|hi|hey|then|thanks|thank you|please|i|and)[\s,.!]+)*`;
const EN_YES = new RegExp(
  String.raw`^${EN_FILLERS}(y|yes|yeah|yea|yep|yup|ya|sure|ok|okay|k|alright|all right|confirm|confirmed|go ahead|go for it|do it|proceed|correct|right|affirmative|absolutely|of course|definitely|sounds good|looks good|perfect|agreed|agree|that'?s (?:correct|right|fine|good)|that is (?:correct|right)|please do)\b`,
);
const EN_NO =
  /\b(no|nope|nah|not|never|don't|dont|do not|stop|wait|hold on|hold off|negative|incorrect|wrong|but|however|instead|rather)\b|n't\b/;
/** "cancel" is a refusal on its own ("cancel"), but the action itself after a yes ("yes, cancel it"). */
const EN_CANCEL = /\b(cancel|abort|undo|never ?mind)\b/;

// --- Chinese (no word boundaries: the affirmative must open the message) ---
const ZH_NEGATED_YES = /没问题|没错|不错/g;
const ZH_YES = /^(确认|确定|是的|是|好的|好啊|好|可以|对的|对|行|同意|嗯+|没问题|要的|请执行|执行|ok|yes)/;
/** 对了 opens a new topic ("by the way"), 好几 means "several": neither is a yes. */
const ZH_NOT_YES = /^(对了|好几|好多|好像|是不是|是否|可以不)/;
const ZH_NO = /不|别|没|否|算了|等等|等一下|等下|再想想|但是|不过|可是|改成|换成|换一|而是/;
const ZH_CANCEL = /取消|撤销|撤回/;

const QUESTION = /[?？]\s*$|吗|么\s*$|呢\s*$/;
const LEADING_PUNCT = /^[\s,.!;:'"，。！；：、“”‘’…—-]+/;

export function isAffirmative(text: string): boolean {
  const t = text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[’‘`]/g, "'")
    .replace(EN_NEGATED_YES, 'yes')
    .replace(ZH_NEGATED_YES, '好')
    .replace(LEADING_PUNCT, '')
    .trimEnd();
  if (t === '' || QUESTION.test(t) || EN_NO.test(t) || ZH_NO.test(t)) return false;

  const enYes = EN_YES.exec(t)?.index;
  const zhYes = !ZH_NOT_YES.test(t) && ZH_YES.test(t) ? 0 : undefined;
  const yesAt = Math.min(enYes ?? Infinity, zhYes ?? Infinity);
  if (yesAt === Infinity) return false;

  const cancelAt = Math.min(EN_CANCEL.exec(t)?.index ?? Infinity, ZH_CANCEL.exec(t)?.index ?? Infinity);
  return cancelAt === Infinity || yesAt < cancelAt;
}

// The free-text rules of PII redaction, in the order they run. Two goals pull against each other:
// an SRE must still see order ids (#W…), item/product ids (10 digits), tracking numbers
// (12+ digits), payment-method ids (credit_card_…) and amounts; a customer's email, phone, card,
// street address and name must go. So digit runs are never redacted for their length alone: a
// card must pass Luhn, a phone needs a phone shape (separators, +, a Chinese mobile prefix) or a
// "phone" label, and anything labelled as tracking or an id is left alone.
//
// Every pattern runs in linear time: runs of a class start only where the class starts (a
// lookbehind refuses a start inside a run), and repetitions that could overlap are bounded.
import { passesLuhn } from './luhn.ts';

// String.replace passes (match, ...groups, offset, input): typed loosely, each rule knows its groups.
type Replacer = (match: string, ...rest: never[]) => string;
export type TextRule = { name: string; pattern: RegExp; replace: string | Replacer } | { name: string; apply: (text: string) => string };

const EMAIL = /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}\.[A-Za-z]{2,24}(?![A-Za-z0-9-])/g;
// "last_four": "4242", last four 4242, card ending in 4242: four digits that identify a card.
const LAST_FOUR = /(last[_\s-]?(?:four|4)(?:\s{0,3}digits)?["'\s:=]{0,6}|ending\s{1,3}(?:in|with)\s{0,3})\d{4}\b/gi;
// 13–19 digits, groups of digits split by single spaces or dashes: a card number if Luhn says so.
const CARD_CANDIDATE = /(?<![\w-])\d(?:[ -]?\d){12,18}(?![\w-])/g;
// Tracking and id labels within a few characters before a digit run protect it.
const ID_LABEL = /(?:track\w*|order|item|product|shipment|parcel|单号|物流|运单|快递)(?:[\s_-]?(?:id|ids|number|no\.?|#))?[[\]",\s#:："'=]{0,6}$/i;
// Chinese mobile numbers: 1[3-9] + 9 digits, optionally with +86 / 86 and separators.
const CN_MOBILE = /(?<![\d#])(?:\+?86[\s-]?)?1[3-9]\d(?:[\s-]?\d{4}){2}(?!\d)/g;
// International numbers written with a + and at least 8 digits ("+12.50" is an amount).
const INTL_PHONE = /(?<![\w+])\+(?=(?:[\s.()-]{0,3}\d){8})\d{1,3}(?:[\s.-]?\(?\d{1,4}\)?){2,5}(?!\d)/g;
// North-American style with separators: (415) 555-0134, 415-555-0134, 415.555.0134, 1-415-555-0134.
const NA_PHONE = /(?<![\d#-])(?:1[\s.-])?(?:\(\d{3}\)\s?|\d{3}[\s.-])\d{3}[\s.-]\d{4}(?![\d-])/g;
// A bare digit run right after a phone label ("phone 4155550134", "电话：13812345678").
const LABELLED_PHONE = /((?:\b(?:phone|mobile|cell|tel|telephone|call me at|whatsapp)|电话|手机|联系方式)(?:\s{0,2}(?:number|no\.?|#))?[\s:：=]{0,3})\+?\d[\d\s-]{6,16}\d/gi;

const STREET_WORDS =
  'Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Terrace|Ter|Parkway|Pkwy|Circle|Cir|Highway|Hwy|Square|Sq|Trail|Trl|Alley|Broadway';
// "123 Main Street", "4821 N. Oak Ave, Apt 5", "386 Broadway": a house number, up to four words,
// a street type, an optional unit.
const STREET = new RegExp(
  `(?<![\\w#])\\d{1,6}[A-Za-z]?\\s{1,3}(?:[A-Za-z][A-Za-z'.-]{0,30}\\s{1,3}){0,4}(?:${STREET_WORDS})\\b\\.?(?:,?\\s{0,3}(?:Apt|Apartment|Suite|Ste|Unit|#)\\.?\\s{0,3}[\\w-]{1,10})?`,
  'g',
);
// What follows a street in an address line: ", Suite 259", ", Denver", ", CO 80279", ", USA".
const ADDRESS_TAIL =
  /\[address\](?:,?\s{0,3}(?:Apt|Apartment|Suite|Ste|Unit|#)\.?\s{0,3}[\w-]{1,10})?(?:,\s{0,3}[A-Z][A-Za-z'.-]{1,20}(?:[ -][A-Z][A-Za-z'.-]{1,20}){0,2})?(?:,?\s{1,3}[A-Z]{2}\b)?(?:,?\s{1,3}\d{5}(?:-\d{4})?\b)?(?:,?\s{1,3}(?:USA|US|United States)\b)?/g;
// 上海市浦东新区世纪大道100号 / 中山路25号: a road, a number, 号, an optional room. Matched from the
// road on (scanning for an optional 16-character prefix at every position is slow on long Chinese
// text); the city and district written before it are taken in cnAddress below.
const CN_ROAD = /(?:路|街|大道|巷|道)\d{1,5}(?:弄\d{1,5})?号(?:[\u4e00-\u9fa5\d]{0,12}?(?:室|楼|栋|单元))?/g;
const HAN = /[\u4e00-\u9fa5]/;
const CN_PREFIX_MAX = 16;

function cnAddress(text: string): string {
  let out = '';
  let last = 0;
  for (const m of text.matchAll(CN_ROAD)) {
    let start = m.index;
    while (start > last && m.index - start < CN_PREFIX_MAX && HAN.test(text[start - 1]!)) start--;
    out += `${text.slice(last, start)}[address]`;
    last = m.index + m[0].length;
  }
  return last === 0 ? text : out + text.slice(last);
}
// Fields of a JSON fragment (not parseable as a whole) whose value is personal whatever it says.
const PII_FIELD =
  /("(?:address(?:_?line)?[12]?|street|city|zip|zip_?code|postal_?code|first_?name|last_?name|full_?name|customer_?name|email|phone(?:_?number)?)"\s{0,3}:\s{0,3}")((?:[^"\\]|\\.)*)"/gi;
// "zip": 78701, zip code 78701, postal code: 78701.
const ZIP_LABELLED = /((?:zip|postal|邮编|邮政编码)(?:[_\s-]?code)?["'\s:：=]{1,6})[A-Za-z0-9]{3,5}(?:[\s-][A-Za-z0-9]{3,4})?\b/gi;

// A name after the words that introduce one: "my name is Mia Garcia", "Hi Noah,", "Ms. Lee".
// Capitalised words only, at most three, and not the words a sentence goes on with.
const NAME_CUE = String.raw`(?:[Mm]y name is|[Nn]ame is|[Nn]ame:|I am|I'm|[Ii]t's|[Ii]t’s|[Ii]t is|[Tt]his is|[Ff]irst name(?: is)?|[Ll]ast name(?: is)?|[Ss]urname(?: is)?|[Hh]i|[Hh]ello|[Hh]ey|[Dd]ear|[Tt]hanks|[Tt]hank you|[Ss]orry|[Gg]ood (?:morning|afternoon|evening)|[Ww]elcome(?: back)?|Mr\.?|Mrs\.?|Ms\.?|Miss|Dr\.?|[Cc]ustomer|[Uu]ser|[Ss]incerely|[Rr]egards)`;
const NOT_A_NAME =
  'I|The|A|An|Our|Your|My|We|It|This|That|There|Here|Order|Orders|Item|Items|Product|Products|Yes|No|Please|Sure|Ok|Okay|Thanks|Thank|Today|Tomorrow|Support|Steward|Customer|Sir|Madam|All|Everyone|Team|Again|Help|Mr|Mrs|Ms|Dr|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|Pending|Delivered|Processed|Cancelled';
// O'Neill, McKay and D’Angelo too: an optional inner capital after up to two letters or an apostrophe.
const CAP_WORD = String.raw`(?!(?:${NOT_A_NAME})\b)[A-Z](?:[a-z]{0,2}['’]?[A-Z])?[a-z'’-]{1,20}`;
const EN_NAME = new RegExp(String.raw`(\b${NAME_CUE}[,:]?\s{1,3})${CAP_WORD}(?:\s{1,2}${CAP_WORD}){0,2}\b`, 'g');
// A name introduced by what follows it: "Noah Brown here.", "Noah speaking". Two capitalised words
// (one could start any sentence: "Everything here is fine"), at the start of the text or a sentence.
const EN_NAME_BEFORE_CUE = new RegExp(
  String.raw`(?<=^|[.!?\n]\s{0,3}|[,;:]\s{1,3})${CAP_WORD}\s{1,2}${CAP_WORD}(?=[,\s]{1,3}(?:here|speaking)\b)`,
  'gm',
);
// 我叫王小明 / 我的名字是李娜 / 姓名：张伟 / 王先生.
const CN_NAME = /((?:我叫|我的名字是|名字是|名字叫|姓名[:：]?\s{0,2}|我是|收件人[:：]?\s{0,2}|亲爱的|尊敬的)\s{0,2})[\u4e00-\u9fa5]{2,3}|[\u4e00-\u9fa5]{1,3}(?=先生|女士|小姐)/g;
// Weaker cues (本人王伟, 联系人：李娜, 王伟您好): only a common surname and one or two more characters,
// so "本人已经…" or "大家好" stay. The surnames are the most frequent single-character ones.
const CN_SURNAMES =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤';
const CN_NAME_WEAK = new RegExp(
  `((?:本人|联系人|收货人|致)[:：]?\\s{0,2})[${CN_SURNAMES}][\\u4e00-\\u9fa5]{1,2}|(?<![\\u4e00-\\u9fa5])[${CN_SURNAMES}][\\u4e00-\\u9fa5]{1,2}(?=您好|你好)`,
  'g',
);

function card(match: string, offset: number, input: string): string {
  const digits = match.replace(/[ -]/g, '');
  if (!passesLuhn(digits)) return match;
  // "tracking 1Z…", "order number 4111…": a labelled id stays visible even when Luhn agrees.
  if (ID_LABEL.test(input.slice(Math.max(0, offset - 24), offset))) return match;
  return '[card]';
}

export const TEXT_RULES: readonly TextRule[] = [
  { name: 'email', pattern: EMAIL, replace: '[email]' },
  { name: 'field', pattern: PII_FIELD, replace: (_m, label: string, value: string) => (value ? `${label}[REDACTED]"` : `${label}"`) },
  { name: 'last4', pattern: LAST_FOUR, replace: '$1[last4]' },
  { name: 'labelled-phone', pattern: LABELLED_PHONE, replace: '$1[phone]' },
  { name: 'cn-mobile', pattern: CN_MOBILE, replace: '[phone]' },
  { name: 'intl-phone', pattern: INTL_PHONE, replace: '[phone]' },
  { name: 'na-phone', pattern: NA_PHONE, replace: '[phone]' },
  // After the phones: "+86 138 1234 5678" is a phone, whatever Luhn says about its digits.
  { name: 'card', pattern: CARD_CANDIDATE, replace: card },
  { name: 'street', pattern: STREET, replace: '[address]' },
  { name: 'address-tail', pattern: ADDRESS_TAIL, replace: '[address]' },
  { name: 'cn-address', apply: cnAddress },
  { name: 'zip', pattern: ZIP_LABELLED, replace: '$1[zip]' },
  { name: 'en-name', pattern: EN_NAME, replace: '$1[name]' },
  { name: 'en-name-before-cue', pattern: EN_NAME_BEFORE_CUE, replace: '[name]' },
  { name: 'cn-name', pattern: CN_NAME, replace: (m: string, cue: string | undefined) => (cue === undefined ? '[name]' : `${cue}[name]`) },
  { name: 'cn-name-weak', pattern: CN_NAME_WEAK, replace: (m: string, cue: string | undefined) => (cue === undefined ? '[name]' : `${cue}[name]`) },
];

// Redaction runs on every log line and span: a pattern that backtracks quadratically turns one
// long hostile message into seconds of CPU per line. Each adversarial input is timed at two
// sizes; linear code takes about 8x for 8x the input, quadratic about 64x.
import { describe, expect, it } from 'vitest';
import { redactPii } from './redact-pii.ts';

const HOSTILE: Record<string, (n: number) => string> = {
  'local part without @': (n) => 'a'.repeat(n),
  'dots and letters': (n) => 'a.'.repeat(n / 2),
  'many @': (n) => 'a@'.repeat(n / 2),
  'domain without tld': (n) => `x@${'a-'.repeat(n / 2)}`,
  'digits': (n) => '1'.repeat(n),
  'spaced digits': (n) => '1 '.repeat(n / 2),
  'dashed digits': (n) => '1-'.repeat(n / 2),
  'house numbers and words': (n) => '1 ab '.repeat(n / 5),
  'capitalised words after a cue': (n) => `Hi ${'Ab '.repeat(n / 3)}`,
  'cues': (n) => 'Hi '.repeat(n / 3),
  'capitalised words before "here"': (n) => `${'Ab '.repeat(n / 3)}here`,
  'sentences of capitalised pairs': (n) => '. Ab Cd'.repeat(n / 7),
  'han surnames before 您好': (n) => `${'王'.repeat(n)}您好`,
  'weak han cues': (n) => '本人王'.repeat(n / 3),
  'han characters': (n) => '中'.repeat(n),
  'han and numbers': (n) => '路1'.repeat(n / 2),
  'plus signs': (n) => '+1 '.repeat(n / 3),
  'labels': (n) => 'phone '.repeat(n / 6),
  'zip labels': (n) => 'zip: '.repeat(n / 5),
  'quotes and backslashes': (n) => `"email": "${'\\\\'.repeat(n / 2)}`,
  'unterminated json': (n) => `{"a": "${'x'.repeat(n)}`,
};

function timeMs(input: string): number {
  const t0 = performance.now();
  redactPii(input);
  return performance.now() - t0;
}

describe('redaction is linear in its input', () => {
  it.each(Object.entries(HOSTILE))('%s', (_name, make) => {
    const small = make(20_000);
    const big = make(160_000);
    timeMs(small); // warm-up: JIT and regexp compilation
    // The fastest of three runs: the machine is shared, and a GC pause is not the regexp's cost.
    const a = Math.min(timeMs(small), timeMs(small), timeMs(small));
    const b = Math.min(timeMs(big), timeMs(big), timeMs(big));
    // 160k characters in well under two seconds on a loaded machine, and far from 64x.
    expect(b).toBeLessThan(2_000);
    expect(b).toBeLessThan(Math.max(a, 10) * 24);
  });
});

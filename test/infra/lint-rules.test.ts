// The structure rules of eslint.config.js, proven on fixtures: an import cycle and a deep import
// into another package's src/ fail lint; an import through a package's entry point passes.
import { resolve } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const FIX = resolve(import.meta.dirname, 'lint-fixtures');

async function ruleIds(file: string): Promise<string[]> {
  // ignore: false — the fixtures are excluded from `pnpm lint` because they fail on purpose.
  const eslint = new ESLint({ cwd: ROOT, ignore: false });
  const [result] = await eslint.lintFiles([file]);
  return (result?.messages ?? []).map((m) => m.ruleId ?? `fatal: ${m.message}`);
}

describe('lint guards the structure', () => {
  it('fails on an import cycle', async () => {
    expect(await ruleIds(resolve(FIX, 'cycle/a.ts'))).toContain('import-x/no-cycle');
    expect(await ruleIds(resolve(FIX, 'cycle/b.ts'))).toContain('import-x/no-cycle');
  });
  it("fails on a deep import into another package's src/", async () => {
    expect(await ruleIds(resolve(FIX, 'deep-import.ts'))).toEqual(['no-restricted-imports']);
  });
  it("passes an import through the package's entry point", async () => {
    expect(await ruleIds(resolve(FIX, 'clean.ts'))).toEqual([]);
  });
});

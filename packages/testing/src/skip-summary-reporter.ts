// A vitest reporter that ends every run with the list of skipped tests, by name, and what this
// machine lacks with the command that installs it: a skipped test must never pass unnoticed.
import { relative } from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';
import { REQUIREMENTS } from './requirements.ts';

export default class SkipSummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const skipped: string[] = [];
    for (const m of testModules) {
      for (const t of m.children.allTests('skipped')) {
        const note = t.result().state === 'skipped' ? (t.result() as { note?: string }).note : undefined;
        skipped.push(`  ${relative(process.cwd(), m.moduleId)} > ${t.fullName}${note ? ` — ${note}` : ''}`);
      }
    }
    const lacking = Object.values(REQUIREMENTS).filter((r) => !r.present());
    const out: string[] = [];
    if (skipped.length === 0) out.push('[steward tests] skipped: none');
    else out.push(`[steward tests] SKIPPED ${skipped.length} test(s):`, ...skipped);
    if (lacking.length > 0) {
      out.push('[steward tests] missing on this machine (tests that need it were skipped or narrowed):');
      for (const r of lacking) out.push(`  ${r.what}\n    install: ${r.install}`);
    }
    process.stdout.write(`${out.join('\n')}\n`);
  }
}

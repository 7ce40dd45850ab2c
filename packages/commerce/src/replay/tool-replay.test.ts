// scripts/tool-replay.ts as a real child process: one output line per input line, in order.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFixtureDir } from '../testing/fixture.ts';

const ROOT = join(import.meta.dirname, '../../../..');

function replay(lines: string[], args = ['--data', writeFixtureDir()]): Promise<{ out: string[]; code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'scripts/tool-replay.ts'), ...args], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ out: stdout.split('\n').filter((l) => l !== ''), code, stderr }));
    child.stdin.end(lines.map((l) => l + '\n').join(''));
  });
}

describe('tool-replay command', () => {
  it('answers each line in order: call, reset, export, bad lines', async () => {
    const call = (as: string | null, name: string, args: Record<string, unknown>, key?: string) =>
      JSON.stringify({ op: 'call', as, name, arguments: args, ...(key ? { key } : {}) });
    const cancel = { order_id: '#W1000001', reason: 'no longer needed' };
    const lines = [
      call(null, 'find_user_id_by_email', { email: 'ALICE.SMITH@example.com' }),
      call('alice_smith_1001', 'cancel_pending_order', cancel, 'k1'),
      call('alice_smith_1001', 'cancel_pending_order', cancel, 'k1'),
      call('alice_smith_1001', 'cancel_pending_order', cancel),
      call('bob_jones_2002', 'get_order_details', { order_id: '#W1000002' }),
      call(null, 'calculate', { expression: '1 + 2.5' }),
      call('alice_smith_1001', 'get_order_details', { order_id: 7 }),
      call(null, 'no_such_tool', {}),
      'this is not json',
      JSON.stringify({ op: 'dance' }),
      JSON.stringify({ op: 'reset' }),
      call('alice_smith_1001', 'get_order_details', { order_id: '#W1000001' }),
      JSON.stringify({ op: 'export' }),
    ];
    const { out, code } = await replay(lines);
    expect(code).toBe(0);
    expect(out).toHaveLength(lines.length);
    const r = out.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(r[0]).toEqual({ result: 'alice_smith_1001' });
    expect(JSON.parse(r[1]!.result as string).status).toBe('cancelled');
    expect(r[2]).toEqual(r[1]);
    expect(r[3]).toEqual({ result: 'Error: non-pending order cannot be cancelled' });
    expect(r[4]).toEqual({ result: 'Error: order not found' });
    expect(r[5]).toEqual({ result: '3.5' });
    expect(r[6]!.result).toMatch(/^Error: invalid arguments/);
    expect(r[7]!.error).toMatch(/unknown tool/);
    expect(r[8]).toEqual({ error: 'invalid JSON' });
    expect(r[9]!.error).toMatch(/^invalid line: /);
    expect(r[10]).toEqual({ ok: true });
    expect(JSON.parse(r[11]!.result as string).status).toBe('pending');
    expect(Object.keys(r[12]!)).toEqual(['users', 'orders', 'products']);
    expect((r[12]!.orders as Record<string, { status: string }>)['#W1000001']!.status).toBe('pending');
  });

  it('without --data it exits with usage on stderr and nothing on stdout', async () => {
    const { out, code, stderr } = await replay([], []);
    expect(code).toBe(2);
    expect(out).toEqual([]);
    expect(stderr).toMatch(/usage/);
  });
});

import { describe, expect, it } from 'vitest';
import { parseMonitorLine } from './redis-monitor.ts';

describe('parseMonitorLine', () => {
  it('reads the time, the sender and the arguments, with their escapes', () => {
    expect(parseMonitorLine('+1796189441.212014 [0 127.0.0.1:55778] "evalsha" "11ab" "1" "{t}:q:1" "a \\"b\\" \\\\ \\x00\\r\\n"')).toEqual({
      time: '1796189441.212014',
      source: '127.0.0.1:55778',
      argv: ['evalsha', '11ab', '1', '{t}:q:1', 'a "b" \\ \x00\r\n'],
    });
    expect(parseMonitorLine('+1796189441.212075 [0 lua] "GET" "{t}:reasoning:count"')).toEqual({ time: '1796189441.212075', source: 'lua', argv: ['GET', '{t}:reasoning:count'] });
    expect(parseMonitorLine('+OK')).toBeUndefined();
  });
});

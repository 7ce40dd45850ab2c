// MONITOR on a plain socket, for tests that count the commands a piece of code sends. ioredis's
// own monitor() races: the lines that follow MONITOR's +OK in the same TCP chunk are parsed
// before the client has switched to monitoring, and it then throws "Command queue state error"
// from its socket handler (an uncaught exception that fails the whole test file) — seen in CI
// when another test file was busy on the same Redis.
import { connect } from 'node:net';

/** One command as MONITOR reports it: its arguments, and who sent it (`lua` for a script's). */
export type MonitorListener = (time: string, argv: string[], source: string) => void;

export interface RedisMonitor {
  close(): void;
}

const LINE = /^\+(\S+) \[\d+ ([^\]]+)\] (.*)$/;
const ARG = /"((?:[^"\\]|\\.)*)"/g;

/** MONITOR's escapes (sds repr): \\ \" \n \r \t \a \b and \xHH. */
function unescape(s: string): string {
  return s.replace(/\\(x[0-9a-fA-F]{2}|.)/g, (_, e: string) => {
    if (e.length === 3) return String.fromCharCode(parseInt(e.slice(1), 16));
    return ({ n: '\n', r: '\r', t: '\t', a: '\x07', b: '\b' } as Record<string, string>)[e] ?? e;
  });
}

/** Parse one MONITOR line (without its CRLF); undefined for anything else (+OK, an error). */
export function parseMonitorLine(line: string): { time: string; source: string; argv: string[] } | undefined {
  const m = LINE.exec(line);
  if (!m) return undefined;
  return { time: m[1]!, source: m[2]!, argv: [...m[3]!.matchAll(ARG)].map((a) => unescape(a[1]!)) };
}

/** Start MONITOR on `url` (redis://host:port); resolves once Redis said +OK. */
export function monitorRedis(url: string, listener: MonitorListener): Promise<RedisMonitor> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(u.port || 6379), u.hostname || '127.0.0.1');
    let buffered = '';
    let ready = false;
    socket.setEncoding('latin1');
    socket.once('error', reject);
    socket.on('connect', () => {
      const auth = u.password ? `AUTH ${decodeURIComponent(u.password)}\r\n` : '';
      socket.write(`${auth}MONITOR\r\n`);
    });
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      let end: number;
      while ((end = buffered.indexOf('\r\n')) >= 0) {
        const line = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        const parsed = parseMonitorLine(line);
        if (parsed) listener(parsed.time, parsed.argv.map((a) => Buffer.from(a, 'latin1').toString('utf8')), parsed.source);
        else if (line === '+OK' && !ready) {
          ready = true;
          resolve({ close: () => socket.destroy() });
        } else if (line.startsWith('-')) reject(new Error(`MONITOR refused: ${line}`));
      }
    });
  });
}

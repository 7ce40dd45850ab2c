// A real OTLP/HTTP trace receiver for tests: `POST /v1/traces` in OTLP/JSON and OTLP/protobuf,
// spans normalised to one shape with hex ids so tests assert on what a collector would store.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { gunzipSync } from 'node:zlib';
import protobuf from 'protobufjs';

// The subset of opentelemetry/proto/collector/trace/v1 that a trace receiver needs; unknown
// fields (links, trace_state…) are skipped by the decoder.
const OTLP_TRACE_PROTO = `
syntax = "proto3";
package otlp;
message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; string schema_url = 3; }
message Resource { repeated KeyValue attributes = 1; uint32 dropped_attributes_count = 2; }
message ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; string schema_url = 3; }
message InstrumentationScope { string name = 1; string version = 2; repeated KeyValue attributes = 3; }
message Span {
  bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; bytes parent_span_id = 4;
  string name = 5; int32 kind = 6; fixed64 start_time_unix_nano = 7; fixed64 end_time_unix_nano = 8;
  repeated KeyValue attributes = 9; uint32 dropped_attributes_count = 10; repeated Event events = 11;
  uint32 dropped_events_count = 12; uint32 dropped_links_count = 14; Status status = 15; fixed32 flags = 16;
  message Event { fixed64 time_unix_nano = 1; string name = 2; repeated KeyValue attributes = 3; }
}
message Status { string message = 2; int32 code = 3; }
message KeyValue { string key = 1; AnyValue value = 2; }
message AnyValue {
  oneof value {
    string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4;
    ArrayValue array_value = 5; KeyValueList kvlist_value = 6; bytes bytes_value = 7;
  }
}
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
`;

const RequestType = protobuf.parse(OTLP_TRACE_PROTO).root.lookupType('otlp.ExportTraceServiceRequest');

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  name: string;
  /** OTLP kind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: Record<string, unknown>;
  events: Array<{ name: string; timeUnixNano: string; attributes: Record<string, unknown> }>;
  /** OTLP status code: 0 unset, 1 ok, 2 error. */
  status: { code: number; message?: string };
  resource: Record<string, unknown>;
  scope: { name: string; version?: string };
  /** How the span arrived, so a test can prove which protocol was used. */
  encoding: 'json' | 'protobuf';
}

export interface OtlpReceiver {
  url: string;
  /** Full traces endpoint (`${url}/v1/traces`). */
  tracesUrl: string;
  spans(): ReceivedSpan[];
  waitForSpans(predicate: (spans: ReceivedSpan[]) => boolean, timeoutMs: number): Promise<ReceivedSpan[]>;
  /** Answer every request with this HTTP status (e.g. 500) until set back to 200. */
  setResponseStatus(status: number): void;
  requestCount(): number;
  close(): Promise<void>;
}

export async function startOtlpReceiver(opts: { port?: number } = {}): Promise<OtlpReceiver> {
  const received: ReceivedSpan[] = [];
  let status = 200;
  let requests = 0;
  const waiters = new Set<() => void>();
  const notify = (): void => waiters.forEach((w) => w());

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ code: 3, message: e instanceof Error ? e.message : String(e) }));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST' || req.url?.split('?')[0] !== '/v1/traces') {
      res.writeHead(404).end();
      return;
    }
    requests++;
    let body = await readBody(req);
    if (status !== 200) {
      res.writeHead(status, { 'content-type': 'application/json' }).end('{"code":14,"message":"test receiver set to fail"}');
      return;
    }
    if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
    if (type === 'application/x-protobuf') {
      const msg = RequestType.decode(body);
      const obj = RequestType.toObject(msg, { longs: String, arrays: true });
      received.push(...normalise(obj, 'protobuf'));
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    } else if (type === 'application/json') {
      received.push(...normalise(JSON.parse(body.toString('utf8')), 'json'));
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    } else {
      res.writeHead(415).end();
      return;
    }
    notify();
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const addr = server.address();
  if (typeof addr !== 'object' || !addr) throw new Error('OTLP receiver has no address');
  const url = `http://127.0.0.1:${addr.port}`;

  return {
    url,
    tracesUrl: `${url}/v1/traces`,
    spans: () => [...received],
    requestCount: () => requests,
    setResponseStatus: (s) => void (status = s),
    waitForSpans(predicate, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (!predicate([...received])) return;
          cleanup();
          resolve([...received]);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`OTLP receiver: condition not met within ${timeoutMs} ms (${received.length} spans received)`));
        }, timeoutMs);
        const cleanup = (): void => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

// Decoded OTLP is walked loosely: both encodings arrive here and absent fields are normal.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Obj = Record<string, any>;

function normalise(req: Obj, encoding: ReceivedSpan['encoding']): ReceivedSpan[] {
  const out: ReceivedSpan[] = [];
  for (const rs of (req.resourceSpans ?? []) as Obj[]) {
    const resource = keyValues(rs.resource?.attributes);
    for (const ss of (rs.scopeSpans ?? []) as Obj[]) {
      const scope = { name: String(ss.scope?.name ?? ''), ...(ss.scope?.version ? { version: String(ss.scope.version) } : {}) };
      for (const s of (ss.spans ?? []) as Obj[]) {
        const parent = s.parentSpanId ? toHex(s.parentSpanId) : '';
        out.push({
          traceId: toHex(s.traceId),
          spanId: toHex(s.spanId),
          parentSpanId: parent && !/^0+$/.test(parent) ? parent : undefined,
          name: String(s.name ?? ''),
          kind: Number(s.kind ?? 0),
          startTimeUnixNano: String(s.startTimeUnixNano ?? '0'),
          endTimeUnixNano: String(s.endTimeUnixNano ?? '0'),
          attributes: keyValues(s.attributes),
          events: ((s.events ?? []) as Obj[]).map((e) => ({
            name: String(e.name ?? ''),
            timeUnixNano: String(e.timeUnixNano ?? '0'),
            attributes: keyValues(e.attributes),
          })),
          status: { code: Number(s.status?.code ?? 0), ...(s.status?.message ? { message: String(s.status.message) } : {}) },
          resource,
          scope,
          encoding,
        });
      }
    }
  }
  return out;
}

/** Ids arrive as hex (OTLP/JSON), base64 (some JSON clients) or bytes (protobuf). */
function toHex(v: unknown): string {
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  const s = typeof v === 'string' ? v : '';
  if (/^[0-9a-fA-F]+$/.test(s) && (s.length === 32 || s.length === 16)) return s.toLowerCase();
  return Buffer.from(s, 'base64').toString('hex');
}

function keyValues(list: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of (Array.isArray(list) ? list : []) as Obj[]) out[String(kv.key)] = anyValue(kv.value);
  return out;
}

function anyValue(v: Obj | undefined): unknown {
  if (!v) return undefined;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.intValue !== undefined) {
    const n = Number(v.intValue);
    return Number.isSafeInteger(n) ? n : String(v.intValue);
  }
  if (v.doubleValue !== undefined) return Number(v.doubleValue);
  if (v.arrayValue !== undefined) return ((v.arrayValue.values ?? []) as Obj[]).map(anyValue);
  if (v.kvlistValue !== undefined) return keyValues(v.kvlistValue.values);
  if (v.bytesValue !== undefined) return toHex(v.bytesValue);
  return undefined;
}

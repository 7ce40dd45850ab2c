import { describe, it, expect, afterEach } from 'vitest';
import { gzipSync } from 'node:zlib';
import { startOtlpReceiver, type OtlpReceiver } from './otlp-receiver.ts';

const traceId = '5b8efff798038103d269b633813fc60c';
const spanId = 'eee19b7ec3c1b174';
const parentSpanId = 'eee19b7ec3c1b173';

function otlpJson(ids: { traceId: string; spanId: string; parentSpanId: string }) {
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'shop' } }] },
        scopeSpans: [
          {
            scope: { name: 'manual', version: '1.0' },
            spans: [
              {
                ...ids,
                name: 'GET /orders',
                kind: 2,
                startTimeUnixNano: '1544712660000000000',
                endTimeUnixNano: 1544712661000000000,
                attributes: [
                  { key: 's', value: { stringValue: 'x' } },
                  { key: 'i', value: { intValue: '42' } },
                  { key: 'd', value: { doubleValue: 0.5 } },
                  { key: 'b', value: { boolValue: true } },
                  { key: 'a', value: { arrayValue: { values: [{ stringValue: 'stop' }] } } },
                ],
                events: [{ name: 'retry', timeUnixNano: '1544712660500000000', attributes: [] }],
                status: { code: 2, message: 'boom' },
              },
            ],
          },
        ],
      },
    ],
  };
}

describe('startOtlpReceiver', () => {
  let r: OtlpReceiver | undefined;
  afterEach(async () => r?.close());

  it('accepts OTLP/JSON with hex ids and normalises every attribute type', async () => {
    r = await startOtlpReceiver();
    const res = await fetch(r.tracesUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(otlpJson({ traceId, spanId, parentSpanId })),
    });
    expect(res.status).toBe(200);
    const [span] = await r.waitForSpans((s) => s.length === 1, 5_000);
    expect(span).toEqual({
      traceId,
      spanId,
      parentSpanId,
      name: 'GET /orders',
      kind: 2,
      startTimeUnixNano: '1544712660000000000',
      endTimeUnixNano: '1544712661000000000',
      attributes: { s: 'x', i: 42, d: 0.5, b: true, a: ['stop'] },
      events: [{ name: 'retry', timeUnixNano: '1544712660500000000', attributes: {} }],
      status: { code: 2, message: 'boom' },
      resource: { 'service.name': 'shop' },
      scope: { name: 'manual', version: '1.0' },
      encoding: 'json',
    });
  });

  it('accepts base64 ids and gzip bodies too', async () => {
    r = await startOtlpReceiver();
    const b64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64');
    const body = gzipSync(JSON.stringify(otlpJson({ traceId: b64(traceId), spanId: b64(spanId), parentSpanId: '' })));
    const res = await fetch(r.tracesUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body });
    expect(res.status).toBe(200);
    expect(r.spans()[0]).toMatchObject({ traceId, spanId, parentSpanId: undefined });
  });

  it('refuses other paths and content types, and fails on demand', async () => {
    r = await startOtlpReceiver();
    expect((await fetch(`${r.url}/v1/metrics`, { method: 'POST', body: '{}' })).status).toBe(404);
    expect((await fetch(r.tracesUrl, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' })).status).toBe(415);
    expect((await fetch(r.tracesUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{bad' })).status).toBe(400);
    r.setResponseStatus(503);
    const res = await fetch(r.tracesUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(otlpJson({ traceId, spanId, parentSpanId })) });
    expect(res.status).toBe(503);
    expect(r.spans()).toHaveLength(0);
    expect(r.requestCount()).toBe(3); // POSTs to /v1/traces only
  });

  it('rejects waitForSpans when the condition is not met in time', async () => {
    r = await startOtlpReceiver();
    await expect(r.waitForSpans((s) => s.length > 0, 50)).rejects.toThrow(/not met/);
  });
});

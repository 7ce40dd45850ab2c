// The probe and /metrics listener of the services without Fastify, on a real node:http server.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { probeHandler, type ProbeHandlerOptions } from './probe-handler.ts';

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

async function serve(o: ProbeHandlerOptions): Promise<string> {
  server = createServer(probeHandler(o));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const get = async (url: string, authorization?: string) => {
  const res = await fetch(url, authorization ? { headers: { authorization } } : {});
  return { status: res.status, type: res.headers.get('content-type'), auth: res.headers.get('www-authenticate'), body: await res.text() };
};

describe('probeHandler', () => {
  it('answers the probes from the readiness check, and 404 elsewhere', async () => {
    let ready = true;
    const url = await serve({ ready: () => (ready ? Promise.resolve() : Promise.reject(new Error('down'))), metrics: () => '' });
    expect(await get(`${url}/healthz`)).toMatchObject({ status: 200, body: '{"ok":true}' });
    expect(await get(`${url}/readyz?x=1`)).toMatchObject({ status: 200, body: '{"ready":true}' });
    ready = false;
    expect(await get(`${url}/readyz`)).toMatchObject({ status: 503, body: '{"ready":false}' });
    expect((await get(`${url}/nothing`)).status).toBe(404);
  });

  it('serves /metrics openly without a token', async () => {
    const url = await serve({ ready: () => Promise.resolve(), metrics: () => 'steward_up 1\n' });
    expect(await get(`${url}/metrics`)).toMatchObject({ status: 200, type: expect.stringMatching(/^text\/plain; version=0\.0\.4/), body: 'steward_up 1\n' });
  });

  it('with a token, needs it or the admin token; a failed read is 503', async () => {
    let fail = false;
    const url = await serve({
      ready: () => Promise.resolve(),
      metrics: async () => {
        if (fail) throw new Error('redis down');
        return 'steward_up 1\n';
      },
      metricsToken: 'probe-metrics-token',
      adminToken: 'probe-admin-token',
    });
    for (const auth of [undefined, 'Bearer wrong', 'probe-metrics-token']) {
      const r = await get(`${url}/metrics`, auth);
      expect(r).toMatchObject({ status: 401, auth: 'Bearer' });
      expect(JSON.parse(r.body)).toEqual({ error: { code: 'unauthorized', message: 'metrics credential required' } });
    }
    expect((await get(`${url}/metrics`, 'Bearer probe-metrics-token')).body).toBe('steward_up 1\n');
    expect((await get(`${url}/metrics`, 'Bearer probe-admin-token')).status).toBe(200);
    fail = true;
    expect((await get(`${url}/metrics`, 'Bearer probe-metrics-token')).status).toBe(503);
  });
});

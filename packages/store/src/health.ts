import { createServer, type Server } from 'node:http';

/** Liveness and readiness for worker processes (Kubernetes probes, compose healthchecks). */
export async function startHealthServer(port: number, ready: () => Promise<boolean>): Promise<Server> {
  const srv = createServer((req, res) => {
    if (req.url === '/healthz') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    if (req.url === '/readyz') {
      ready().then(
        (ok) => res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify({ ready: ok })),
        () => res.writeHead(503).end('{"ready":false}'),
      );
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => srv.listen(port, '0.0.0.0', r));
  return srv;
}

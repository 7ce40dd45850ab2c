// Compiles every service (or those named) into dist/<service>/main.mjs: what infra/Dockerfile
// and the benchmark cluster run, so a deployed process never strips types at start. See
// scripts/lib/build-services.ts.
//
//   node scripts/build.ts [service …]
import { SERVICES, buildServices, DIST } from './lib/build-services.ts';

const asked = process.argv.slice(2);
const unknown = asked.filter((s) => !(SERVICES as readonly string[]).includes(s));
if (unknown.length > 0)
  throw new Error(`unknown service(s): ${unknown.join(', ')}; known: ${SERVICES.join(', ')}`);
for (const r of await buildServices(asked.length > 0 ? asked : SERVICES)) {
  process.stderr.write(
    `[build] ${r.service}: ${r.files.map((f) => `${DIST}/${r.service}/${f}`).join(', ')} (${r.ms} ms)\n`,
  );
}

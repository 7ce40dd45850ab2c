// Offline checks of docker-compose.yml: every service is there, built from the one image, the
// workers can be scaled, Redis is durable and never evicts, Jaeger receives OTLP.
import { describe, it, expect } from 'vitest';
import {
  STEWARD_SERVICES,
  WORKERS,
  arr,
  isDir,
  isObj,
  obj,
  pathExists,
  readText,
  readYaml,
  str,
  type Obj,
} from './repo-files.ts';
import { redisDirectives } from './redis-conf.ts';

const compose = obj(readYaml('docker-compose.yml'), 'docker-compose.yml');
const services = obj(compose.services, 'services');
const svc = (name: string): Obj => obj(services[name], `services.${name}`);
const env = (name: string): Obj => obj(svc(name).environment, `services.${name}.environment`);

/** Env each service reads (from the service contracts); compose must set them all. */
const REQUIRED_ENV: Record<string, string[]> = {
  ingress: [
    'PORT',
    'INGRESS_API_KEYS',
    'ADMIN_TOKEN',
    'SLACK_SIGNING_SECRET',
    'WHATSAPP_APP_SECRET',
    'WHATSAPP_VERIFY_TOKEN',
    'TELEGRAM_SECRET_TOKEN',
    'WEBHOOK_SECRETS',
  ],
  'reasoning-worker': [
    'OPENAI_BASE_URL',
    'OPENAI_API_KEY',
    'LLM_MODEL',
    'LLM_RPM',
    'REASONING_CONCURRENCY',
    'HEALTH_PORT',
    // It takes each turn's step: the same step rules as the controller (ADR 0016).
    'MAX_TURNS',
    'QUERY_DEADLINE_MS',
  ],
  controller: ['MAX_TURNS', 'QUERY_DEADLINE_MS', 'CONTROLLER_CONCURRENCY', 'HEALTH_PORT'],
  'tool-worker': ['SHOP_URL', 'SHOP_API_TOKEN', 'TOOL_CONCURRENCY', 'HEALTH_PORT', 'MAX_TURNS'],
  deliveries: [
    'DELIVERY_CONCURRENCY',
    'HEALTH_PORT',
    'SLACK_BOT_TOKEN',
    'WHATSAPP_ACCESS_TOKEN',
    'WHATSAPP_PHONE_NUMBER_ID',
    'TELEGRAM_BOT_TOKEN',
    'WEBHOOK_SECRETS',
    'WEBHOOK_CALLBACKS',
  ],
  tracer: ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_PROTOCOL', 'HEALTH_PORT'],
  shop: ['PORT', 'SHOP_DATA', 'SHOP_DB'],
  'sim-llm': ['PORT', 'SIM_LLM_LATENCY'],
};

function hostPorts(name: string): string[] {
  const ports = svc(name).ports;
  return ports === undefined ? [] : arr(ports, `${name}.ports`).map((p) => String(p));
}

describe('docker-compose.yml', () => {
  it('has Redis, Jaeger and every steward service', () => {
    for (const name of ['redis', 'jaeger', ...STEWARD_SERVICES])
      expect(Object.keys(services)).toContain(name);
  });

  it('runs every steward service from the one image built by infra/Dockerfile', () => {
    const images = new Set<string>();
    for (const name of STEWARD_SERVICES) {
      const s = svc(name);
      images.add(str(s.image, `${name}.image`));
      const build = obj(s.build, `${name}.build`);
      expect(build.context).toBe('.');
      expect(pathExists(str(build.dockerfile, `${name}.build.dockerfile`))).toBe(true);
      // SERVICE picks services/<name>/src/main.ts inside the image.
      expect(env(name).SERVICE).toBe(name);
      expect(isDir(`services/${name}`)).toBe(true);
    }
    expect(images.size).toBe(1);
  });

  it('gives every steward service the shared Redis settings and its own variables', () => {
    for (const name of STEWARD_SERVICES) {
      const e = env(name);
      expect(e.REDIS_URL).toBe('redis://redis:6379');
      expect(e.REDIS_PREFIX).toBe('{steward}');
      expect(e.REDACT_PII).toBe('true');
      for (const key of REQUIRED_ENV[name] ?? [])
        expect(Object.keys(e), `${name} sets ${key}`).toContain(key);
    }
    expect(env('reasoning-worker').OPENAI_BASE_URL).toContain('http://sim-llm:3200/v1');
    expect(env('tool-worker').SHOP_URL).toBe('http://shop:3100');
    expect(env('tracer').OTEL_EXPORTER_OTLP_ENDPOINT).toBe('http://jaeger:4318');
    // The tracer's probe server must be where the healthcheck and the other workers' is.
    expect(env('tracer').TRACER_PORT).toBe(env('tracer').HEALTH_PORT);
    // sim-llm binds 127.0.0.1 unless told otherwise; reasoning-worker must reach it.
    expect(env('sim-llm').HOST).toBe('0.0.0.0');
  });

  it('leaves the workers scalable: no container_name and no published port', () => {
    for (const name of WORKERS) {
      expect(svc(name).container_name, name).toBeUndefined();
      expect(svc(name).ports, name).toBeUndefined();
    }
    // A fixed name on any container would also break `docker compose -p other up`.
    for (const [name, s] of Object.entries(services))
      expect(obj(s, name).container_name, name).toBeUndefined();
  });

  it('publishes the HTTP services on their default ports', () => {
    expect(hostPorts('ingress')).toContain('3000:3000');
    expect(hostPorts('shop')).toContain('3100:3100');
    expect(hostPorts('sim-llm')).toContain('3200:3200');
  });

  it('runs Redis with its config file: AOF on and noeviction', () => {
    const redis = svc('redis');
    expect(str(redis.image, 'redis.image')).toMatch(/^redis:7/);
    const volumes = arr(redis.volumes, 'redis.volumes').map((v) => String(v));
    const confMount = volumes.find((v) => v.startsWith('./infra/redis/redis.conf:'));
    expect(confMount).toMatch(/^\.\/infra\/redis\/redis\.conf:\/.+/);
    const target = confMount?.split(':')[1];
    expect(arr(redis.command, 'redis.command')).toContain(target);
    const conf = redisDirectives(readText('infra/redis/redis.conf'));
    expect(conf.get('appendonly')).toBe('yes');
    expect(conf.get('maxmemory-policy')).toBe('noeviction');
    expect(volumes.some((v) => v.endsWith(':/data'))).toBe(true);
    expect(JSON.stringify(obj(redis.healthcheck, 'redis.healthcheck').test)).toMatch(/redis-cli/);
  });

  it('runs Jaeger with OTLP gRPC/HTTP open to the other containers and the UI published', () => {
    const jaeger = svc('jaeger');
    const ports = hostPorts('jaeger');
    for (const p of ['4317:4317', '4318:4318', '16686:16686']) expect(ports).toContain(p);
    const command = arr(jaeger.command, 'jaeger.command').join(' ');
    expect(command).toContain('receivers.otlp.protocols.grpc.endpoint=0.0.0.0:4317');
    expect(command).toContain('receivers.otlp.protocols.http.endpoint=0.0.0.0:4318');
  });

  it('starts services after what they need, waiting for health where there is a healthcheck', () => {
    for (const [name, raw] of Object.entries(services)) {
      const s = obj(raw, name);
      if (s.depends_on === undefined) continue;
      const deps = Array.isArray(s.depends_on)
        ? Object.fromEntries(s.depends_on.map((d) => [String(d), { condition: 'service_started' }]))
        : obj(s.depends_on, `${name}.depends_on`);
      for (const [dep, rawCond] of Object.entries(deps)) {
        expect(Object.keys(services), `${name} depends on ${dep}`).toContain(dep);
        const condition = isObj(rawCond) ? rawCond.condition : undefined;
        if (condition === 'service_healthy') {
          // Either an explicit test or the image's HEALTHCHECK (steward services).
          const hc = svc(dep).healthcheck;
          expect(
            isObj(hc) || (STEWARD_SERVICES as readonly string[]).includes(dep),
            `${dep} has a healthcheck`,
          ).toBe(true);
        }
      }
    }
    for (const name of STEWARD_SERVICES.filter((n) => n !== 'shop' && n !== 'sim-llm')) {
      const deps = obj(svc(name).depends_on, `${name}.depends_on`);
      expect(obj(deps.redis, `${name}.depends_on.redis`).condition).toBe('service_healthy');
    }
    expect(Object.keys(obj(svc('reasoning-worker').depends_on, 'rw'))).toContain('sim-llm');
    expect(Object.keys(obj(svc('tool-worker').depends_on, 'tw'))).toContain('shop');
  });

  it('gives every steward service time to finish its jobs on shutdown', () => {
    for (const name of STEWARD_SERVICES) {
      const grace = str(svc(name).stop_grace_period, `${name}.stop_grace_period`);
      expect(Number.parseInt(grace, 10)).toBeGreaterThanOrEqual(30);
    }
  });

  it('puts Prometheus and Grafana in the monitoring profile with their provisioning mounted', () => {
    for (const name of ['prometheus', 'grafana']) {
      expect(arr(svc(name).profiles, `${name}.profiles`)).toEqual(['monitoring']);
    }
    // Pipeline services run without a profile: `docker compose up` starts them.
    for (const name of ['redis', 'jaeger', ...STEWARD_SERVICES]) expect(svc(name).profiles).toBeUndefined();
    const grafanaMounts = arr(svc('grafana').volumes, 'grafana.volumes').map(String);
    expect(grafanaMounts.some((v) => v.startsWith('./infra/grafana/provisioning:'))).toBe(true);
    expect(grafanaMounts.some((v) => v.startsWith('./infra/grafana/dashboards:'))).toBe(true);
  });

  it('mounts only repository files that exist (outside data folders)', () => {
    for (const [name, raw] of Object.entries(services)) {
      const volumes = obj(raw, name).volumes;
      if (volumes === undefined) continue;
      for (const v of arr(volumes, `${name}.volumes`).map(String)) {
        if (!v.startsWith('./')) continue;
        const source = v.split(':')[0] ?? '';
        expect(pathExists(source), `${name} mounts ${source}`).toBe(true);
      }
    }
  });

  it('declares every named volume it uses', () => {
    const declared = Object.keys(obj(compose.volumes, 'volumes'));
    for (const [name, raw] of Object.entries(services)) {
      const volumes = obj(raw, name).volumes;
      if (volumes === undefined) continue;
      for (const v of arr(volumes, `${name}.volumes`).map(String)) {
        const source = v.split(':')[0] ?? '';
        if (/^[a-z][a-z0-9-]*$/.test(source))
          expect(declared, `${name} uses volume ${source}`).toContain(source);
      }
    }
  });
});

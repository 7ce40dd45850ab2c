export { freePort } from './free-port.ts';
export { RedisServer, redisServerBinary, waitForPort, type RedisServerOptions } from './redis-server.ts';
export { acquireRedis, uniquePrefix, deletePrefix, type RedisTarget } from './test-redis.ts';
export { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './otlp-receiver.ts';
export { TAUBENCH_DIR, HAS_TAUBENCH } from './taubench-dir.ts';
export { REQUIREMENTS, missing, type Requirement, type RequirementName } from './requirements.ts';
export { PostgresServer, postgresBinDir, POSTGRES_INSTALL } from './postgres-server.ts';
export { acquirePostgres, postgresReachable, safeUrl, MACHINE_DATABASE_URL, type PostgresTarget } from './test-postgres.ts';
export { monitorRedis, parseMonitorLine, type MonitorListener, type RedisMonitor } from './redis-monitor.ts';

-- Up Migration
-- Views for dashboards (Grafana's PostgreSQL data source) and ad-hoc analysis; one row per day
-- (UTC) and dimension.

CREATE VIEW analytics_outcomes_daily AS
SELECT date_trunc('day', completed_at) AS day, outcome, reason, count(*) AS queries
FROM queries WHERE completed_at IS NOT NULL
GROUP BY 1, 2, 3;

CREATE VIEW analytics_handoff_rate_daily AS
SELECT date_trunc('day', completed_at) AS day,
       count(*) AS queries,
       count(*) FILTER (WHERE outcome = 'handoff') AS handoffs,
       round(count(*) FILTER (WHERE outcome = 'handoff')::numeric / nullif(count(*), 0), 4) AS handoff_rate
FROM queries WHERE completed_at IS NOT NULL
GROUP BY 1;

CREATE VIEW analytics_cost_daily AS
SELECT date_trunc('day', completed_at) AS day,
       count(*) AS queries,
       sum(input_tokens) AS input_tokens,
       sum(output_tokens) AS output_tokens,
       sum(cost_usd) AS cost_usd,
       round(avg(cost_usd), 6) AS cost_per_query_usd
FROM queries WHERE completed_at IS NOT NULL
GROUP BY 1;

CREATE VIEW analytics_top_tools AS
SELECT date_trunc('day', at) AS day, name AS tool, count(*) AS calls,
       count(*) FILTER (WHERE ok IS FALSE) AS errors,
       round(avg(latency_ms)) AS avg_latency_ms
FROM steps WHERE kind = 'tool'
GROUP BY 1, 2;

CREATE VIEW analytics_error_types AS
SELECT date_trunc('day', at) AS day, kind, coalesce(name, '') AS name, error AS error_type, count(*) AS errors
FROM steps WHERE error IS NOT NULL
GROUP BY 1, 2, 3, 4;

CREATE VIEW analytics_language_daily AS
SELECT date_trunc('day', completed_at) AS day, language, count(*) AS queries,
       count(*) FILTER (WHERE outcome = 'answered') AS answered,
       count(*) FILTER (WHERE outcome = 'handoff') AS handoffs
FROM queries WHERE completed_at IS NOT NULL
GROUP BY 1, 2;

-- Down Migration
DROP VIEW IF EXISTS analytics_language_daily, analytics_error_types, analytics_top_tools, analytics_cost_daily, analytics_handoff_rate_daily, analytics_outcomes_daily;

-- Figures of one swarm job for docs/performance.md (adaptive replication, spot checks, turncoats), read from the
-- coordinator's PostgreSQL after the swarm drained it:
--   psql -h localhost -p <port> -U postgres -d starling -v job=<id> -v from=<first index counted> -f trust-figures.sql
-- from: work units of a lower index are left out of the first two figures (the hosts were still earning trust).
-- results: replicas that were sent to a host (computed, or cancelled on their way), spot checks and re-checks
-- included; replicas cancelled at claim time by adaptive replication were never sent and do not count.
SELECT count(*) FILTER (WHERE w.state = 'VALIDATED') AS validated,
       round(sum(s.sent) FILTER (WHERE w.state = 'VALIDATED')::numeric
             / nullif(count(*) FILTER (WHERE w.state = 'VALIDATED'), 0), 3) AS results_per_validated_wu,
       round(10000.0 * count(*) FILTER (WHERE convert_from(c.output, 'UTF8') ~ '^(wrong|turncoat)-')
             / nullif(count(*) FILTER (WHERE w.state = 'VALIDATED'), 0), 1) AS wrong_per_10k,
       count(*) FILTER (WHERE convert_from(c.output, 'UTF8') ~ '^(wrong|turncoat)-') AS wrong,
       count(*) FILTER (WHERE w.state = 'OPEN') AS open_now,
       round(100.0 * sum(s.alone) / nullif(count(*) FILTER (WHERE w.state = 'VALIDATED'), 0), 1) AS alone_pct,
       sum(s.spot) AS spot_checks
  FROM work_unit w
  LEFT JOIN result c ON c.id = w.canonical_result_id
  CROSS JOIN LATERAL (SELECT count(*) FILTER (WHERE r.sent_at IS NOT NULL) AS sent,
                             count(*) FILTER (WHERE r.alone AND r.state = 'VALID') AS alone,
                             count(*) FILTER (WHERE r.spot_check AND r.sent_at IS NOT NULL) AS spot
                        FROM result r WHERE r.work_unit_id = w.id) s
 WHERE w.job_id = :job AND w.idx >= :from;

-- median and p90 time from a work unit's first dispatch to its validation, over all its work units
SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY t)::numeric, 2) AS median_s_to_validation,
       round(percentile_cont(0.9) WITHIN GROUP (ORDER BY t)::numeric, 2) AS p90_s
  FROM (SELECT extract(epoch FROM w.finished_at - min(r.sent_at)) AS t
          FROM work_unit w JOIN result r ON r.work_unit_id = w.id
         WHERE w.job_id = :job AND w.state = 'VALIDATED' AND r.sent_at IS NOT NULL
         GROUP BY w.id, w.finished_at) v;

SELECT state, left(error, 160) AS error, rechecked_work_units, overturned_work_units,
       (SELECT count(*) FROM host WHERE convicted_at IS NOT NULL) AS convicted_hosts,
       (SELECT count(*) FROM host WHERE quarantined_at IS NOT NULL) AS quarantined_hosts
  FROM job WHERE id = :job;

-- the wrong canonical outputs left, by how they won: alone or by a quorum, and whether a host of theirs was convicted
SELECT c.alone, count(*) AS wrong,
       count(*) FILTER (WHERE h.convicted_at IS NOT NULL) AS host_convicted,
       count(*) FILTER (WHERE c.sent_at > h.convicted_at) AS sent_after_conviction
  FROM work_unit w JOIN result c ON c.id = w.canonical_result_id JOIN host h ON h.id = c.host_id
 WHERE w.job_id = :job AND convert_from(c.output, 'UTF8') ~ '^(wrong|turncoat)-'
 GROUP BY c.alone;

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

SELECT state, left(error, 160) AS error, rechecked_work_units, overturned_work_units, alone_checked_stage,
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

-- where the wrong alone results escaped: each one's host, its trust row for the app, whether the alone result was
-- vouched for (reported before vouched_at) and by what (the first spot check of the host judged valid that was sent
-- after it: its work unit's canonical output wrong means colluders had won its known answer), and the host's first
-- result judged invalid after it
SELECT c.id AS result, w.idx, c.host_id AS host, h.convicted_at IS NOT NULL AS convicted,
       h.quarantined_at IS NOT NULL AS quarantined, t.consecutive_valid AS run, t.resets,
       CASE WHEN c.reported_at < t.vouched_at THEN 'vouched'
            WHEN t.doubted_at IS NULL THEN 'never doubted'
            WHEN c.reported_at > t.doubted_at THEN 'reported after doubt'
            ELSE 'doubted, not re-checked' END AS why,
       to_char(c.reported_at, 'MI:SS.MS') AS reported, to_char(t.vouched_at, 'MI:SS.MS') AS vouched_at,
       to_char(t.doubted_at, 'MI:SS.MS') AS doubted_at,
       v.id AS vouch, v.spot_check AS vouch_spot, to_char(v.sent_at, 'MI:SS.MS') AS vouch_sent,
       convert_from(vc.output, 'UTF8') ~ '^turncoat-' AS vouch_wrong, vg.hosts AS vouch_group,
       to_char(i.sent_at, 'MI:SS.MS') AS first_invalid_sent, wg.hosts AS won_by
  FROM work_unit w JOIN result c ON c.id = w.canonical_result_id JOIN host h ON h.id = c.host_id
  LEFT JOIN host_app_trust t ON t.host_id = c.host_id AND t.app = c.app
  LEFT JOIN LATERAL (SELECT r.* FROM result r
                      WHERE r.host_id = c.host_id AND r.app = c.app AND r.spot_check AND r.state = 'VALID'
                        AND r.sent_at > c.reported_at ORDER BY r.sent_at LIMIT 1) v ON true
  LEFT JOIN work_unit vw ON vw.id = v.work_unit_id LEFT JOIN result vc ON vc.id = vw.canonical_result_id
  LEFT JOIN LATERAL (SELECT string_agg(g.host_id || CASE WHEN g.spot_check THEN 's' ELSE '' END, ',') AS hosts
                       FROM result g WHERE g.work_unit_id = v.work_unit_id AND g.state = 'VALID') vg ON true
  -- the group that won the wrong output, each host marked q (quarantined now) or c (convicted)
  LEFT JOIN LATERAL (SELECT string_agg(g.host_id || CASE WHEN gh.convicted_at IS NOT NULL THEN 'c'
                                                        WHEN gh.quarantined_at IS NOT NULL THEN 'q' ELSE '' END, ',')
                            AS hosts
                       FROM result g JOIN host gh ON gh.id = g.host_id
                      WHERE g.work_unit_id = w.id AND g.state = 'VALID') wg ON true
  LEFT JOIN LATERAL (SELECT r.sent_at FROM result r
                      WHERE r.host_id = c.host_id AND r.app = c.app AND r.state = 'INVALID'
                        AND r.sent_at > c.reported_at ORDER BY r.sent_at LIMIT 1) i ON true
 WHERE w.job_id = :job AND convert_from(c.output, 'UTF8') ~ '^(wrong|turncoat)-'
 ORDER BY c.host_id, c.reported_at;

-- the turncoats (hosts with a wrong result judged, or a wrong canonical output) and what became of them
SELECT h.id AS host, h.convicted_at IS NOT NULL AS convicted, h.quarantine_reason, t.consecutive_valid AS run,
       t.resets, to_char(t.vouched_at, 'MI:SS.MS') AS vouched_at, to_char(t.doubted_at, 'MI:SS.MS') AS doubted_at,
       count(*) FILTER (WHERE r.alone AND r.state = 'VALID') AS alone_valid,
       count(*) FILTER (WHERE r.alone AND r.state = 'CANCELLED') AS alone_cancelled,
       count(*) FILTER (WHERE NOT r.alone AND r.state = 'VALID') AS replicated_valid,
       count(*) FILTER (WHERE r.state = 'INVALID') AS invalid, count(*) FILTER (WHERE r.spot_check) AS spot,
       to_char(max(r.sent_at), 'MI:SS.MS') AS last_sent
  FROM host h JOIN result r ON r.host_id = h.id
  LEFT JOIN host_app_trust t ON t.host_id = h.id AND t.app = r.app
 WHERE h.id IN (SELECT c.host_id FROM work_unit w JOIN result c ON c.id = w.canonical_result_id
                 WHERE w.job_id = :job AND convert_from(c.output, 'UTF8') ~ '^turncoat-')
    OR h.convicted_at IS NOT NULL
 GROUP BY h.id, t.consecutive_valid, t.resets, t.vouched_at, t.doubted_at
 ORDER BY h.id;

-- the replicas of work units that FAILED (or are open), what each was
SELECT w.idx, w.state AS wu, w.max_results, r.id, r.host_id AS host, r.state, r.alone, r.quarantined, r.spot_check,
       h.convicted_at IS NOT NULL AS convicted, r.output_hash = c.output_hash AS canonical,
       to_char(r.sent_at, 'MI:SS.MS') AS sent, to_char(r.reported_at, 'MI:SS.MS') AS reported
  FROM work_unit w JOIN result r ON r.work_unit_id = w.id LEFT JOIN host h ON h.id = r.host_id
  LEFT JOIN result c ON c.id = w.canonical_result_id
 WHERE w.job_id = :job AND w.state = 'FAILED'
 ORDER BY w.idx, r.id;

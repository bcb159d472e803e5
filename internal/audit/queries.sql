-- Named queries of internal/audit.

-- name: insert
INSERT INTO audit_log (user_id, username, role, scope, action, method, route, layer, tile, area, rows_returned, ip, detail)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
RETURNING id;

-- Every filter is optional (NULL matches all); newest first, paged by id.
-- name: search
SELECT id, at, user_id, username, role, scope, action, method, route, layer, tile, area, rows_returned, ip, detail
FROM audit_log
WHERE ($1::text IS NULL OR username = $1)
  AND ($2::text IS NULL OR action = $2)
  AND ($3::text IS NULL OR layer = $3)
  AND ($4::text IS NULL OR route LIKE $4 || '%')
  AND ($5::timestamptz IS NULL OR at >= $5)
  AND ($6::timestamptz IS NULL OR at < $6)
  AND ($7::bigint IS NULL OR id < $7)
ORDER BY id DESC
LIMIT $8;

#!/usr/bin/env bash
# `make loadtest`: a busy morning on the demo scenario, on a throw-away cluster
# (run by .ci/with-test-cluster). Reference data, the demo scenario (seed 42)
# and a risk run are loaded; `waspada serve` runs on a free loopback port; then
# waspada-load (a second process) drives LOAD_DURATION at LOAD_CONNS
# connections over a shuffled mix of what the map front end asks for:
#
#   tiles  ~72%  risk hexagons (30%), basemap (20%), kabupaten choropleth (8%),
#                ports, worksites, desa binaan, resident cells (the rest),
#                zooms 4-12 around every kabupaten's centre
#   API    ~28%  hexagon explanations (/api/cells), kabupaten scorecards,
#                ranking (sorted by score and by change), place search, periods
#
# The weights are those of the URL list: each URL appears as often as a user
# would ask for it. The list (about 3,500 distinct tiles and 1,400 API calls)
# is walked over and over, as officers of many offices look at the same
# provinces: later passes find tiles in the server's cache, API calls do not
# (the API is not cached; its per-run rank cache is). The run fails (exit 1) on any error: a status >= 400 or a
# failed connection.
set -euo pipefail
bin=${WASPADA_BIN:-bin/waspada}
load=${WASPADA_LOAD_BIN:-bin/waspada-load}
conns=${LOAD_CONNS:-64}
duration=${LOAD_DURATION:-60s}
tmp=$(mktemp -d /tmp/waspada-loadtest-XXXXXX)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
step() { echo; echo "== $*"; }

step "demo scenario: reference data, synthetic operational data (seed 42), risk run"
"$bin" import reference >/dev/null
"$bin" generate --size demo --seed 42 --out "$tmp/gen" >/dev/null
for kind in worksites residences ports desa-binaan incidents indicators; do
  "$bin" import "$kind" "$tmp/gen/$kind.csv" >/dev/null
done
"$bin" risk compute 2>/dev/null | tail -1

step "serve"
printf 'load-password-%s\n' "$RANDOM$RANDOM" >"$tmp/pw"
"$bin" user add --username loadtest --role admin --password-file "$tmp/pw" >/dev/null
token=$("$bin" user token add --username loadtest --name loadtest 2>/dev/null)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
# One token stands for a whole office here, so the per-user rate limit is off.
"$bin" serve --addr "127.0.0.1:$port" --no-rate-limit >"$tmp/serve.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do
  curl -fsS -o /dev/null -H "Authorization: Bearer $token" "$base/tiles" 2>/dev/null && break
  kill -0 "$pid" 2>/dev/null || { cat "$tmp/serve.log"; exit 1; }
  sleep 0.2
done
auth=(-H "Authorization: Bearer $token")

step "request mix"
list() { "$load" --base "$base" "${auth[@]}" --tilesets "$1" --max-tiles "$2" --seed "$3" --list-only --write-list "$tmp/$1.txt" >/dev/null; }
list risk 1500 1; list basemap 1000 2; list kabupaten 400 3
list ports 150 4; list worksites 150 5; list desa_binaan 150 6; list residents 200 7
db=$("$bin" db url)
period=$(psql "$db" -Atc "SELECT to_char(period, 'YYYY-MM') FROM risk_latest")
{
  # hexagon clicks: cells of the latest run, both kinds, at the zooms' resolutions
  psql "$db" -Atc "SELECT '/api/cells/' || kind || '/' || lower(to_hex(h3)) FROM risk_cell
                   WHERE run_id = (SELECT id FROM risk_latest) AND res IN (5, 6, 7) ORDER BY md5(h3::text) LIMIT 800"
  # scorecards
  psql "$db" -Atc "SELECT '/api/kabupaten/' || code FROM kabupaten ORDER BY md5(code) LIMIT 300"
  # ranking: by score and by change, both kinds, national and the last period
  for i in $(seq 1 15); do
    for kind in tppo pmi; do
      echo "/api/ranking?kind=$kind"
      echo "/api/ranking?kind=$kind&sort=change&period=$period"
    done
  done
  # search as people type
  psql "$db" -Atc "SELECT '/api/search?q=' || replace(left(name, 4 + (length(name) % 5)), ' ', '%20') FROM kabupaten ORDER BY md5(name) LIMIT 200"
  for i in $(seq 1 20); do echo "/api/periods"; done
} >"$tmp/api.txt"
cat "$tmp"/{risk,basemap,kabupaten,ports,worksites,desa_binaan,residents,api}.txt |
  awk 'BEGIN{srand(42)} {print rand() "\t" $0}' | sort -k1,1 | cut -f2- >"$tmp/mix.txt"
echo "$(wc -l <"$tmp/mix.txt") URLs: $(grep -c '^/tiles/' "$tmp/mix.txt") tiles, $(grep -c '^/api/' "$tmp/mix.txt") API"
echo "serving on $base ($(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg))"

step "load: $conns connections for $duration"
"$load" --base "$base" "${auth[@]}" --list "$tmp/mix.txt" -c "$conns" -d "$duration"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
if grep -q 'level=ERROR' "$tmp/serve.log"; then
  echo "server logged errors:"; grep 'level=ERROR' "$tmp/serve.log" | head -5; exit 1
fi

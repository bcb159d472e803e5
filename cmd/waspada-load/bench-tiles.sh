#!/usr/bin/env bash
# `make bench-tiles`: the tile server under load, on a throw-away cluster (run by
# .ci/with-test-cluster, which points WASPADA_PG_DIR/PORT at it).
#   1. reference data; synthetic operational data (BENCH_SIZE=demo|national,
#      default demo) when `waspada generate` exists; a risk run from
#      `waspada risk compute`, else a SYNTHETIC one from `waspada-load seed-risk`
#   2. `waspada serve` on a free loopback port, signed in with a real API token
#   3. cold passes (every URL once, empty cache) over risk, kabupaten and basemap
#      tiles at zooms 4–12 around every kabupaten centroid; then a warm pass at
#      64 connections (waspada-load, and wrk when installed)
set -euo pipefail
bin=${WASPADA_BIN:-bin/waspada}
load=${WASPADA_LOAD_BIN:-bin/waspada-load}
size=${BENCH_SIZE:-demo}
conns=${BENCH_CONNS:-64}
warm=${BENCH_WARM:-15s}
cold_conns=${BENCH_COLD_CONNS:-4}
cold_max=${BENCH_COLD_MAX:-4000}   # URLs per cold pass (a random sample; 0 = all)
tmp=$(mktemp -d /tmp/waspada-bench-XXXXXX)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
step() { echo; echo "== $*"; }

step "reference data"
"$bin" import reference >/dev/null

step "operational data ($size)"
if "$bin" generate --size "$size" --seed 1 --out "$tmp/gen" >"$tmp/gen.log" 2>&1; then
  for kind in worksites residences ports desa-binaan incidents indicators; do
    alt=${kind//-/_}
    for f in "$tmp/gen/$kind".* $([ "$alt" != "$kind" ] && echo "$tmp/gen/$alt".*); do
      [ -f "$f" ] || continue
      echo "import $kind $(basename "$f")"
      "$bin" import "$kind" "$f" >/dev/null
    done
  done
else
  echo "waspada generate is not available ($(tail -1 "$tmp/gen.log")): boundaries and ports only"
fi

step "risk run"
if "$bin" risk compute >"$tmp/risk.log" 2>&1; then
  tail -3 "$tmp/risk.log"
else
  echo "waspada risk compute failed or is not built ($(tail -1 "$tmp/risk.log"))"
  echo "seeding a SYNTHETIC national risk run (benchmark data, not a model result)"
  "$load" seed-risk --res 7
fi

step "serve"
printf 'bench-password-%s\n' "$RANDOM$RANDOM" >"$tmp/pw"
"$bin" user add --username tilebench --role admin --password-file "$tmp/pw" >/dev/null
token=$("$bin" user token add --username tilebench --name bench 2>/dev/null)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
"$bin" serve --addr "127.0.0.1:$port" --no-rate-limit >"$tmp/serve.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do
  curl -fsS -o /dev/null -H "Authorization: Bearer $token" "$base/tiles" 2>/dev/null && break
  kill -0 "$pid" 2>/dev/null || { cat "$tmp/serve.log"; exit 1; }
  sleep 0.2
done
auth=(-H "Authorization: Bearer $token")
echo "serving on $base ($(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg))"

for set in risk kabupaten basemap; do
  step "cold $set: each tile once (empty cache), $cold_conns connections"
  "$load" --base "$base" "${auth[@]}" --tilesets "$set" --once -c "$cold_conns" --max-tiles "$cold_max" --write-list "$tmp/$set.txt"
done

step "warm: risk + kabupaten + basemap tiles, $conns connections, $warm (waspada-load)"
cat "$tmp/risk.txt" "$tmp/kabupaten.txt" "$tmp/basemap.txt" >"$tmp/all.txt"
"$load" --base "$base" "${auth[@]}" --list "$tmp/all.txt" -c "$conns" -d "$warm"

if command -v wrk >/dev/null; then
  step "warm: same tiles, $conns connections, $warm (wrk, 2 threads)"
  TILE_LIST="$tmp/all.txt" TILE_AUTH="Bearer $token" wrk -t2 -c"$conns" -d"$warm" --latency \
    -s cmd/waspada-load/wrk-tiles.lua "$base" | sed -n '/Latency Distribution/,$p'
fi
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

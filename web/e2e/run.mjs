// End-to-end test of the map in a real browser (Debian chromium driven by
// playwright-core; never a downloaded browser). Run by web/e2e/e2e_test.go,
// which starts a server with data, or by hand:
//   node e2e/run.mjs --url http://127.0.0.1:8080 --out ../out/e2e [--kab 21.71 --name Batam]
// Prints one line per check and "N passed, M failed"; exits non-zero on a failure.
import { chromium } from 'playwright-core';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    url: { type: 'string' },
    out: { type: 'string', default: 'out/e2e' },
    kab: { type: 'string', default: '21.71' },
    name: { type: 'string', default: 'Batam' },
    chromium: { type: 'string', default: process.env.CHROMIUM || '/usr/bin/chromium' },
    timeout: { type: 'string', default: '60000' },
    user: { type: 'string' },
    password: { type: 'string' },
  },
});
if (!args.url) {
  console.error('usage: node e2e/run.mjs --url http://127.0.0.1:PORT [--out DIR]');
  process.exit(2);
}
const base = new URL(args.url);
const TIMEOUT = Number(args.timeout);
// The risk class colours of geo/present (drawn at opacity 1 for the pixel check).
const RISK_COLORS = ['#ffffb2', '#fed976', '#feb24c', '#fd8d3c', '#f03b20', '#bd0026'];

let passed = 0, failed = 0;
const results = [];
async function check(name, fn) {
  const t0 = Date.now();
  try {
    const detail = await fn();
    passed++;
    results.push(`ok   ${name} (${Date.now() - t0} ms)${detail ? ': ' + detail : ''}`);
  } catch (e) {
    failed++;
    results.push(`FAIL ${name}: ${e && e.message ? e.message : e}`);
  }
  console.log(results[results.length - 1]);
}
function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

await mkdir(args.out, { recursive: true });
const profile = await mkdtemp(path.join(os.tmpdir(), 'waspada-e2e-'));
// A new empty profile each run (playwright passes it as --user-data-dir).
const context = await chromium.launchPersistentContext(profile, {
  executablePath: args.chromium,
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    // WebGL in software (SwiftShader): MapLibre needs WebGL, the machine has no GPU.
    '--use-gl=angle', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'],
  viewport: { width: 1366, height: 768 }, deviceScaleFactor: 1, locale: 'id-ID',
});
const page = context.pages()[0] ?? await context.newPage();
page.setDefaultTimeout(TIMEOUT);

const consoleErrors = [];
const foreign = [];
const failedRequests = [];
page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
page.on('pageerror', (e) => consoleErrors.push('pageerror: ' + e.message));
page.on('request', (r) => {
  const u = new URL(r.url());
  if (u.protocol === 'data:' || u.protocol === 'blob:') return;
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname)) foreign.push(r.url());
});
// MapLibre cancels the tiles it no longer needs while the map moves: not a failure.
page.on('requestfailed', (r) => {
  const why = r.failure()?.errorText ?? '';
  if (!why.includes('ERR_ABORTED')) failedRequests.push(`${r.url()} ${why}`);
});
page.on('response', (r) => { if (r.status() >= 400) failedRequests.push(`${r.url()} HTTP ${r.status()}`); });

/** Waits until the map has loaded its style and every visible tile. */
async function mapIdle() {
  await page.waitForFunction(() => {
    const m = window.waspada?.map;
    return m && m.loaded() && m.areTilesLoaded() && !m.isMoving();
  }, null, { polling: 200 });
  await page.waitForTimeout(300);
}

/** Counts canvas pixels within a small distance of the given colours. */
async function countColours(colours) {
  return page.evaluate((colours) => {
    const src = window.waspada.map.getCanvas();
    const c = document.createElement('canvas');
    c.width = src.width; c.height = src.height;
    const ctx = c.getContext('2d');
    ctx.drawImage(src, 0, 0);
    const d = ctx.getImageData(0, 0, c.width, c.height).data;
    const rgb = colours.map((h) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16)));
    const counts = new Array(rgb.length).fill(0);
    for (let i = 0; i < d.length; i += 4) {
      for (let k = 0; k < rgb.length; k++) {
        if (Math.abs(d[i] - rgb[k][0]) <= 4 && Math.abs(d[i + 1] - rgb[k][1]) <= 4 && Math.abs(d[i + 2] - rgb[k][2]) <= 4) {
          counts[k]++;
          break;
        }
      }
    }
    return counts;
  }, colours);
}

/** A hexagon whose centre is on screen, clear of the legend and the info panel. */
async function clickableHexagon() {
  const target = await page.evaluate(() => {
      const m = window.waspada.map;
      const canvas = m.getCanvas().getBoundingClientRect();
      const legend = document.getElementById('legend').getBoundingClientRect();
      const feats = m.queryRenderedFeatures({ layers: ['hexagons'] });
      for (const f of feats) {
        if (f.properties.tppo_score === undefined || f.geometry.type !== 'Polygon') continue;
        const ring = f.geometry.coordinates[0];
        let x = 0, y = 0;
        for (const [lng, lat] of ring.slice(0, -1)) { x += lng; y += lat; }
        const p = m.project([x / (ring.length - 1), y / (ring.length - 1)]);
        const cx = canvas.left + p.x, cy = canvas.top + p.y;
        const inside = p.x > 60 && p.y > 60 && p.x < canvas.width - 440 && p.y < canvas.height - 60;
        const underLegend = cx >= legend.left && cx <= legend.right && cy >= legend.top && cy <= legend.bottom;
        if (inside && !underLegend) {
          const hit = m.queryRenderedFeatures([p.x, p.y], { layers: ['hexagons'] });
          if (hit.length && hit[0].properties.h3 === f.properties.h3) return { x: cx, y: cy, h3: f.properties.h3 };
        }
      }
      return null;
    });
    assert(target, 'no clickable hexagon in view');
  return target;
}

try {
  await check('page loads (through the login page)', async () => {
    const res = await page.goto(base.href, { waitUntil: 'load' });
    assert(res && res.ok(), `GET / answered ${res && res.status()}`);
    if (new URL(page.url()).pathname === '/login') {
      assert(args.user && args.password, 'the server wants a login: pass --user and --password');
      await page.fill('#username', args.user);
      await page.fill('#password', args.password);
      await Promise.all([page.waitForURL((u) => u.pathname === '/'), page.click('form button[type=submit]')]);
    }
    await mapIdle();
    await page.screenshot({ path: path.join(args.out, 'national.png') });
    const who = await page.locator('#user').innerText();
    assert(!args.user || who.includes(args.user), `signed-in user shown as "${who}"`);
    const title = await page.title();
    assert(title.includes('Waspada'), `title ${title}`);
    return title;
  });

  await check('basemap labels drawn with local glyphs', async () => {
    const n = await page.evaluate(() => window.waspada.map.queryRenderedFeatures({ layers: ['provinsi-label'] }).length);
    assert(n > 5, `${n} province labels rendered`);
    return `${n} province labels`;
  });

  await check('search flies to a kabupaten', async () => {
    await page.fill('#search-input', args.name);
    const item = page.locator(`#search-results li[data-code="${args.kab}"]`);
    await item.waitFor({ state: 'visible' });
    await item.click();
    await page.waitForFunction(() => window.waspada.map.isMoving(), null, { timeout: 5000 }).catch(() => {});
    await mapIdle();
    const { center, zoom, bbox } = await page.evaluate(async (code) => {
      const m = window.waspada.map;
      const k = await window.waspada.api.kabupaten(code, null);
      return { center: m.getCenter().toArray(), zoom: m.getZoom(), bbox: k.bbox };
    }, args.kab);
    assert(center[0] >= bbox[0] && center[0] <= bbox[2] && center[1] >= bbox[1] && center[1] <= bbox[3],
      `centre ${center} outside ${args.kab} bbox ${bbox}`);
    assert(zoom >= 7, `zoom ${zoom.toFixed(1)} too far out`);
    const card = await page.locator('#info .info-head h2').textContent();
    assert(card && card.includes(args.name), `scorecard shows ${card}`);
    return `centre ${center.map((v) => v.toFixed(3))} z${zoom.toFixed(1)}, scorecard "${card}"`;
  });

  await check('kabupaten scorecard shows both risks and a 12-period trend', async () => {
    for (const kind of ['tppo', 'pmi']) {
      const pts = await page.locator(`[data-testid="trend-${kind}"] svg circle`).count();
      assert(pts === 12, `${kind} trend has ${pts} points`);
    }
    const ranks = await page.locator('#info .risk-card .stat').count();
    assert(ranks >= 8, `${ranks} stats`);
    return 'tppo + pmi, 12 points each';
  });

  await check('scorecard and ranking show the API\'s change, score and rank digit for digit', async () => {
    // The server formats each figure once (geo/present); the page must show
    // exactly that. The brief PDF is compared with the same figures by
    // e2e_test.go (pdftotext), from the agreement.json written here.
    const api = await page.evaluate((code) => window.waspada.api.kabupaten(code, null), args.kab);
    const d = api.risks.tppo.display.id;
    assert(d && d.change && d.rank && d.score, `API display fields missing: ${JSON.stringify(api.risks.tppo).slice(0, 200)}`);
    const text = async (sel) => (await page.locator(sel).innerText()).replace(/\s+/g, ' ').trim();
    const norm = (s) => s.replace(/\u00a0/g, ' ').replace(/\s+/g, ' ').trim();
    const card = {
      change: await text('[data-testid="kab-tppo-change"]'),
      score: await text('[data-testid="kab-tppo-score"]'),
      rank: await text('[data-testid="kab-tppo-rank"]'),
    };
    assert(norm(card.change) === norm(`${d.change.arrow} ${d.change.text}`.trim()), `scorecard change "${card.change}", API "${d.change.text}" (raw ${api.risks.tppo.change})`);
    assert(norm(card.score).startsWith(norm(d.score)), `scorecard score "${card.score}", API "${d.score}"`);
    assert(norm(card.rank) === norm(d.rank), `scorecard rank "${card.rank}", API "${d.rank}"`);
    await page.click('[data-tab="ranking"]');
    const row = page.locator(`[data-testid="ranking"] tbody tr[data-code="${args.kab}"]`);
    await row.waitFor();
    const cells = (await row.locator('td').allInnerTexts()).map(norm);
    const ranking = { rank: cells[0], score: cells[2], change: cells[3] };
    assert(ranking.change === norm(`${d.change.arrow} ${d.change.text}`.trim()), `ranking change "${ranking.change}", API "${d.change.text}"`);
    assert(ranking.score === norm(d.score.split('\u00a0')[0] + ' ×'), `ranking score "${ranking.score}", API "${d.score}"`);
    assert(norm(d.rank).startsWith(ranking.rank + ' dari '), `ranking rank "${ranking.rank}", API "${d.rank}"`);
    const { writeFile } = await import('node:fs/promises');
    await writeFile(path.join(args.out, 'agreement.json'), JSON.stringify({
      kab: args.kab, name: api.name, raw_change: api.risks.tppo.change, raw_score: api.risks.tppo.score,
      rank_national: api.risks.tppo.rank_national, of_nation: api.risks.tppo.of_nation, api: d, card, ranking,
    }, null, 1));
    await page.click('[data-tab="layers"]');
    return `${api.name}: ${card.change} · ${card.score} · ${card.rank}`;
  });

  await check('risk hexagons drawn in the risk colours', async () => {
    await page.click('#info-close');
    // Opacity 1 so the pixels are the palette's own colours.
    await page.locator('#opacity').fill('1');
    await mapIdle();
    const counts = await countColours(RISK_COLORS);
    const total = counts.reduce((a, b) => a + b, 0);
    const classes = counts.filter((c) => c > 50).length;
    assert(total > 2000, `only ${total} risk-coloured pixels`);
    assert(classes >= 3, `only ${classes} colour classes visible: ${counts}`);
    return `${total} px in ${classes} classes [${counts.join(', ')}]`;
  });

  await check('clicking a hexagon shows its factor explanation', async () => {
    const target = await clickableHexagon();
    await page.mouse.click(target.x, target.y);
    await page.locator('[data-testid="factor-chart"] svg').waitFor();
    const bars = await page.locator('[data-testid="factor-chart"] svg rect').count();
    const text = await page.locator('#info-body').innerText();
    assert(bars >= 3, `${bars} factor bars`);
    assert(/Kelas risiko/.test(text) && /rata-rata nasional/.test(text) && /Peringkat nasional/.test(text) && / dari /.test(text), `panel text: ${text.slice(0, 200)}`);
    // Jargon only behind "Detail teknis".
    const visible = await page.locator('#info-body').evaluate((el) => {
      const c = el.cloneNode(true);
      c.querySelectorAll('details').forEach((d) => d.remove());
      return c.innerText;
    });
    assert(!/\bH3\b|Gi\*|\bz \d|HEKSAGON H3/.test(visible), `jargon outside Detail teknis: ${visible.slice(0, 300)}`);
    assert(await page.locator('#info-body details.tech summary').innerText() === 'Detail teknis', 'no Detail teknis toggle');
    const api = await page.evaluate((h3) => window.waspada.api.cell('tppo', h3), target.h3);
    const label = api.factors[0].label_id;
    assert(text.includes(label), `factor label "${label}" not shown`);
    return `h3 ${target.h3}: ${bars} bars, score ${api.score.toFixed(2)}`;
  });

  await check('language switch changes the labels', async () => {
    const before = await page.locator('[data-tab="layers"]').textContent();
    await page.click('[data-lang="en"]');
    const after = await page.locator('[data-tab="layers"]').textContent();
    const panel = await page.locator('#info-body').innerText();
    const placeholder = await page.getAttribute('#search-input', 'placeholder');
    assert(before === 'Lapisan' && after === 'Layers', `tab "${before}" -> "${after}"`);
    assert(/National rank/.test(panel) && /What makes the score/.test(panel), 'info panel not translated');
    assert(placeholder.startsWith('Search'), `placeholder ${placeholder}`);
    const lang = await page.evaluate(() => document.documentElement.lang);
    assert(lang === 'en', `html lang ${lang}`);
    await page.click('[data-lang="id"]');
    const back = await page.locator('[data-tab="layers"]').textContent();
    assert(back === 'Lapisan', `back to "${back}"`);
    return '"Lapisan" -> "Layers" -> "Lapisan"';
  });

  await check('ranking lists kabupaten and a click opens the scorecard', async () => {
    await page.click('[data-tab="ranking"]');
    const rows = page.locator('[data-testid="ranking"] tbody tr');
    await rows.first().waitFor();
    const n = await rows.count();
    const code = await rows.first().getAttribute('data-code');
    await rows.first().click();
    await page.locator('[data-testid="trend-tppo"] svg path').waitFor();
    await mapIdle();
    const shown = await page.locator('#info .eyebrow').getAttribute('data-code');
    assert(shown === code, `scorecard ${shown} for row ${code}`);
    return `${n} rows, top ${code}`;
  });

  await check('context layers: ports from the reference register', async () => {
    await page.click('[data-tab="layers"]');
    await page.check('input[data-layer="ports"]');
    await mapIdle();
    const n = await page.evaluate(() => window.waspada.map.queryRenderedFeatures({ layers: ['ports'] }).length);
    assert(n > 0, 'no port drawn');
    const legend = await page.locator('#legend').innerText();
    assert(/Pelabuhan utama/.test(legend), 'port kinds missing from the legend');
    // A click on a port opens the port, not the hexagon under it.
    const at = await page.evaluate(() => {
      const m = window.waspada.map;
      const r = m.getCanvas().getBoundingClientRect();
      const covers = ['info', 'legend'].map((id) => document.getElementById(id)).filter((e) => e && !e.hidden).map((e) => e.getBoundingClientRect());
      for (const f of m.queryRenderedFeatures({ layers: ['ports'] })) {
        const p = m.project(f.geometry.coordinates);
        const x = r.left + p.x, y = r.top + p.y;
        if (p.x < 10 || p.y < 10 || p.x > r.width - 10 || p.y > r.height - 10) continue;
        if (covers.some((b) => x >= b.left - 8 && x <= b.right + 8 && y >= b.top - 8 && y <= b.bottom + 8)) continue;
        return { x, y, name: f.properties.name };
      }
      return null;
    });
    assert(at, 'no port clear of the panels to click');
    await page.mouse.click(at.x, at.y);
    const popup = page.locator('[data-testid="point-popup"]');
    await popup.waitFor();
    const ptext = await popup.innerText();
    assert(ptext.includes(at.name) && /Jenis/.test(ptext), `port popup says "${ptext}"`);
    await page.locator('.maplibregl-popup-close-button').click();
    await page.uncheck('input[data-layer="ports"]');
    return `${n} ports drawn; popup "${at.name}"`;
  });

  await check('change since previous period colours the kabupaten', async () => {
    await page.check('#change-toggle');
    await page.evaluate(() => window.waspada.map.jumpTo({ center: [118, -5], zoom: 4.6 }));
    await mapIdle();
    const CHANGE = ['#2166ac', '#67a9cf', '#d1e5f0', '#f7f7f7', '#fddbc7', '#ef8a62', '#b2182b'];
    const counts = await countColours(CHANGE.filter((c) => c !== '#f7f7f7'));
    const total = counts.reduce((a, b) => a + b, 0);
    await page.click('[data-tab="ranking"]');
    const sorted = await page.locator('[data-testid="ranking"] th[aria-sort="descending"]').innerText();
    assert(total > 1000 && counts.filter((c) => c > 0).length >= 2, `only ${total} change-coloured pixels [${counts}]`);
    assert(sorted.includes('Perubahan'), `ranking sorted by "${sorted}"`);
    await page.uncheck('#change-toggle');
    await page.click('[data-tab="layers"]');
    await page.uncheck('input[data-layer="choropleth"]');
    return `${total} px [${counts.join(', ')}], ranking by change`;
  });

  await check('screenshot of the demo map', async () => {
    await page.click('[data-tab="layers"]');
    await page.locator('#opacity').fill('0.75');
    await page.click('#info-close');
    await page.evaluate(() => window.waspada.map.jumpTo({ center: [104.05, 1.0], zoom: 8.6 }));
    await mapIdle();
    const hex = await clickableHexagon();
    assert(hex, 'no hexagon to explain in the screenshot');
    await page.mouse.click(hex.x, hex.y);
    await page.locator('[data-testid="factor-chart"] svg').waitFor();
    await mapIdle();
    const file = path.join(args.out, 'map.png');
    await page.screenshot({ path: file });
    return file;
  });

  await check('period selector: ranking and scorecard follow the chosen month', async () => {
    const sel = page.locator('#period-select');
    const opt = sel.locator('option').nth(1);
    const [value, label] = [await opt.getAttribute('value'), await opt.textContent()];
    await sel.selectOption(value);
    await page.click('[data-tab="ranking"]');
    await page.locator('#tab-ranking .note', { hasText: label }).waitFor();
    await page.locator('[data-testid="ranking"] tbody tr').first().click();
    await page.locator('#info .eyebrow', { hasText: label }).waitFor();
    const last = await page.evaluate(() => {
      const pts = document.querySelectorAll('[data-testid="trend-tppo"] svg circle title');
      return pts.length ? pts[pts.length - 1].textContent : '';
    });
    assert(last.startsWith(label), `trend ends at "${last}", want ${label}`);
    await sel.selectOption({ index: 0 });
    return `${value} (${label})`;
  });

  await check('screenshots at z5, z9 and z13 over Batam, Kupang and Jakarta (desktop and phone)', async () => {
    await page.click('#info-close').catch(() => {});
    const places = { batam: [104.03, 1.08], kupang: [123.6, -10.18], jakarta: [106.85, -6.2] };
    const shots = [];
    for (const [size, vp] of [['desktop', { width: 1440, height: 900 }], ['phone', { width: 390, height: 844 }]]) {
      await page.setViewportSize(vp);
      for (const [name, center] of Object.entries(places)) {
        for (const zoom of size === 'phone' ? [9] : [5, 9, 13]) {
          await page.evaluate(([c, z]) => window.waspada.map.jumpTo({ center: c, zoom: z }), [center, zoom]);
          await mapIdle();
          const file = path.join(args.out, `${size}-${name}-z${zoom}.png`);
          await page.screenshot({ path: file });
          shots.push(`${size}-${name}-z${zoom}.png`);
        }
      }
    }
    await page.setViewportSize({ width: 1366, height: 768 });
    return shots.join('; ');
  });

  const before = [consoleErrors.length, failedRequests.length];
  await check('a failing tile server is reported, and the map recovers', async () => {
    // Risk tiles answer 503 (as during a database outage) while the map zooms
    // in: the user must see a message, not a silently empty map.
    await page.route('**/tiles/risk/**', (r) => r.fulfill({ status: 503, contentType: 'text/plain', body: 'database unavailable' }));
    await page.evaluate(() => { const m = window.waspada.map; m.jumpTo({ zoom: m.getZoom() + 1.5 }); });
    const status = page.locator('#status.status-error');
    await status.waitFor({ state: 'visible' });
    const text = await status.textContent();
    assert(/HTTP 503/.test(text), `status says "${text}"`);
    await page.unroute('**/tiles/risk/**');
    await page.evaluate(() => { const m = window.waspada.map; m.jumpTo({ zoom: m.getZoom() - 1.5 }); });
    await page.waitForFunction(() => window.waspada.map.loaded() && window.waspada.map.areTilesLoaded());
    return text;
  });
  await check('an expired session brings up the login prompt', async () => {
    await context.clearCookies();
    const sel = page.locator('#period-select');
    const options = await sel.locator('option').allTextContents();
    assert(options.length > 1, `${options.length} periods`);
    await sel.selectOption({ index: 2 });
    await page.locator('#login-overlay').waitFor({ state: 'visible' });
    const href = await page.getAttribute('#login-link', 'href');
    assert(href.startsWith('/login?next='), `login link ${href}`);
    return `${options.length} periods; prompt links to ${href}`;
  });

  // The 503s and 401s just provoked are expected: drop them (and only them) from the error lists.
  [consoleErrors, failedRequests].forEach((list, i) => {
    const later = list.splice(before[i]).filter((e) => !/401|Unauthorized|503|Service Unavailable/.test(e));
    list.push(...later);
  });

  await check('no console errors', async () => {
    assert(consoleErrors.length === 0, consoleErrors.slice(0, 5).join(' | '));
  });
  await check('no request left localhost', async () => {
    assert(foreign.length === 0, foreign.slice(0, 5).join(' '));
  });
  await check('no failed requests', async () => {
    assert(failedRequests.length === 0, failedRequests.slice(0, 5).join(' | '));
  });
} finally {
  await context.close();
  await rm(profile, { recursive: true, force: true });
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);

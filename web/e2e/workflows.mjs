// Browser test of the workflow tools (site planner, joint-operation planner,
// kanwil brief) in Debian chromium via playwright-core. Run by
// web/e2e/workflows_test.go against a server with Bali fixtures, or by hand:
//   node e2e/workflows.mjs --url http://127.0.0.1:8080 --out ../out/e2e-workflows
// Prints one line per check and "N passed, M failed"; exits non-zero on a failure.
import { chromium } from 'playwright-core';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    url: { type: 'string' },
    out: { type: 'string', default: 'out/e2e-workflows' },
    chromium: { type: 'string', default: process.env.CHROMIUM || '/usr/bin/chromium' },
    timeout: { type: 'string', default: '60000' },
    // JSON {"planner": token, "intel": token, "kanwil": token, "partner": token}:
    // each tool is used by the role that may use it (API tokens, sent on every
    // request of the browser context, tiles included).
    tokens: { type: 'string', default: process.env.WASPADA_E2E_TOKENS || '{}' },
  },
});
const tokens = JSON.parse(args.tokens);
if (!args.url) {
  console.error('usage: node e2e/workflows.mjs --url http://127.0.0.1:PORT [--out DIR]');
  process.exit(2);
}
const TIMEOUT = Number(args.timeout);
let passed = 0, failed = 0;
async function check(name, fn) {
  const t0 = Date.now();
  try {
    const detail = await fn();
    passed++;
    console.log(`ok   ${name} (${Date.now() - t0} ms)${detail ? ': ' + detail : ''}`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}: ${e && e.message ? e.message : e}`);
  }
}
function assert(cond, msg) { if (!cond) throw new Error(msg); }

await mkdir(args.out, { recursive: true });
const profile = await mkdtemp(path.join(os.tmpdir(), 'waspada-e2e-wf-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: args.chromium,
  headless: true,
  acceptDownloads: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--use-gl=angle', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'],
  viewport: { width: 1366, height: 768 }, deviceScaleFactor: 1, locale: 'id-ID',
});
const page = context.pages()[0] ?? await context.newPage();
page.setDefaultTimeout(TIMEOUT);
const consoleErrors = [];
const foreign = [];
const bad = [];
page.on('response', (r) => { if (r.status() >= 400) bad.push(`${r.status()} ${r.request().method()} ${r.url()}`); });
page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
page.on('pageerror', (e) => consoleErrors.push('pageerror: ' + e.message));
page.on('request', (r) => {
  const u = new URL(r.url());
  if (u.protocol === 'data:' || u.protocol === 'blob:') return;
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname)) foreign.push(r.url());
});

async function mapIdle() {
  await page.waitForFunction(() => {
    const m = window.waspada?.map;
    return m && m.loaded() && m.areTilesLoaded() && !m.isMoving();
  }, null, { polling: 200 });
  await page.waitForTimeout(300);
}

/** Pixels of the map canvas within 6 levels of each colour. */
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
        if (Math.abs(d[i] - rgb[k][0]) <= 6 && Math.abs(d[i + 1] - rgb[k][1]) <= 6 && Math.abs(d[i + 2] - rgb[k][2]) <= 6) { counts[k]++; break; }
      }
    }
    return counts;
  }, colours);
}

async function openTool(id) {
  await page.locator('[data-tab="tools"]').click();
  const d = page.locator(`details[data-tool="${id}"]`);
  if (!(await d.evaluate((e) => e.open))) await d.locator(':scope > summary').click();
  await page.waitForFunction((id) => document.querySelector(`details[data-tool="${id}"] .tool-body`)?.children.length > 0, id);
}
async function closeTool(id) {
  const d = page.locator(`details[data-tool="${id}"]`);
  if (await d.evaluate((e) => e.open)) await d.locator(':scope > summary').click();
}
async function selectWhenReady(sel, value) {
  await page.waitForFunction(([s, v]) => !!document.querySelector(`${s} option[value="${v}"]`), [sel, value]);
  await page.selectOption(sel, value);
}
async function downloadBy(selector, name) {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
  const file = path.join(args.out, name);
  await dl.saveAs(file);
  return { file, suggested: dl.suggestedFilename(), body: await readFile(file) };
}

/** Signs the browser in as one of the test roles and reloads the map. */
async function as(role) {
  assert(tokens[role], `no token for ${role}`);
  await context.setExtraHTTPHeaders({ Authorization: 'Bearer ' + tokens[role] });
  const res = await page.goto(args.url, { waitUntil: 'load' });
  assert(res && res.ok(), `GET / as ${role} answered ${res && res.status()}`);
  await mapIdle();
  await page.locator('[data-tab="tools"]').click();
  return page.locator('details.tool').evaluateAll((ds) => ds.map((d) => d.dataset.tool));
}

try {
  // Each role is offered exactly the tools access.ToolRoles gives it.
  for (const [role, want] of [['partner', []], ['planner', ['site-planner']], ['intel', ['operation-planner']], ['kanwil', ['site-planner', 'kanwil-brief']]]) {
    await check(`${role} is offered ${want.join(', ') || 'no tool'}`, async () => {
      const got = await as(role);
      assert(JSON.stringify(got) === JSON.stringify(want), `tools ${JSON.stringify(got)}`);
      if (want.length === 0) {
        const note = await page.locator('#tab-tools .note').textContent();
        assert(note && note.length > 5, 'no explanation for an empty tools tab');
      }
      await page.screenshot({ path: path.join(args.out, `tools-${role}.png`) });
      return got.join(', ');
    });
  }

  await check('page loads as a planner', async () => {
    await as('planner');
  });

  // ------------------------------------------------------------ site planner
  await check('site planner proposes 5 villages in Bali and draws them', async () => {
    await openTool('site-planner');
    await selectWhenReady('[data-testid="sites-province"]', '51');
    await page.fill('[data-testid="sites-n"]', '5');
    await page.click('[data-testid="sites-run"]');
    await page.locator('[data-testid="sites-table"] tbody tr').nth(4).waitFor();
    const rows = await page.locator('[data-testid="sites-table"] tbody tr').count();
    assert(rows === 5, `${rows} rows`);
    const summary = await page.locator('[data-testid="sites-summary"]').textContent();
    await mapIdle();
    const picks = await page.evaluate(() => window.waspada.map.queryRenderedFeatures({ layers: ['wf-sites-picks'] }).length);
    assert(picks >= 4, `${picks} chosen villages rendered`);
    const [green] = await countColours(['#1a9641']);
    assert(green > 100, `${green} green pixels (picks and circles)`);
    await page.screenshot({ path: path.join(args.out, 'site-planner.png') });
    return `${summary}; ${picks} markers, ${green} green px`;
  });

  await check('site planner CSV download', async () => {
    const { suggested, body } = await downloadBy('[data-testid="sites-csv"]', 'sites.csv');
    const lines = body.toString('utf8').trim().split('\n');
    assert(lines.length === 6 && lines[0].startsWith('rank,desa_code'), `${lines.length} lines: ${lines[0]}`);
    return `${suggested}, ${lines.length - 1} rows`;
  });

  await check('closing the site planner removes its map layers', async () => {
    await closeTool('site-planner');
    // <details> fires 'toggle' asynchronously: wait for the clean-up.
    const left = () => page.evaluate(() => window.waspada.map.getStyle().layers.filter((l) => l.id.startsWith('wf-sites')).length);
    await page.waitForFunction(() => window.waspada.map.getStyle().layers.every((l) => !l.id.startsWith('wf-sites')), null, { timeout: 5000 })
      .catch(() => {});
    const n = await left();
    assert(n === 0, `${n} layers left`);
  });

  // ------------------------------------------------------------ operation planner
  await check('operation planner: draw a polygon by clicking the map', async () => {
    await as('intel');
    await openTool('operation-planner');
    await page.evaluate(() => window.waspada.map.jumpTo({ center: [115.2175, -8.67], zoom: 13 }));
    await mapIdle();
    await page.click('[data-testid="op-draw"]');
    const corners = [[115.205, -8.69], [115.23, -8.69], [115.23, -8.65], [115.205, -8.65]];
    const box = await page.locator('#map canvas').boundingBox();
    const px = await page.evaluate((cs) => cs.map((c) => { const p = window.waspada.map.project(c); return [p.x, p.y]; }), corners);
    for (const [x, y] of px) {
      await page.mouse.click(box.x + x, box.y + y);
      await page.waitForTimeout(150);
    }
    // A stray fifth vertex, taken back with "undo".
    await page.mouse.click(box.x + (px[0][0] + px[2][0]) / 2, box.y + (px[0][1] + px[2][1]) / 2);
    await page.waitForTimeout(150);
    const five = await page.locator('[data-testid="op-draw-info"]').textContent();
    await page.click('[data-testid="op-undo"]');
    const four = await page.locator('[data-testid="op-draw-info"]').textContent();
    assert(/5/.test(five) && /4/.test(four), `undo: "${five}" -> "${four}"`);
    await page.mouse.click(box.x + px[0][0], box.y + px[0][1]); // the first vertex closes the ring
    await page.waitForTimeout(200);
    const info = await page.locator('[data-testid="op-draw-info"]').textContent();
    assert(/4/.test(info) && !/Klik peta/.test(info), `draw info "${info}"`);
    await mapIdle();
    const fill = await page.evaluate(() => window.waspada.map.queryRenderedFeatures({ layers: ['wf-op-draw-fill'] }).length);
    assert(fill >= 1, 'polygon not rendered');
    // Drawing clicks are the drawing's own: the shell's info panel stays shut.
    assert(await page.locator('#info').isHidden(), 'the info panel opened on a drawing click');
    return info;
  });

  await check('operation planner: the area can be uploaded as GeoJSON', async () => {
    const ring = [[115.205, -8.69], [115.23, -8.69], [115.23, -8.65], [115.205, -8.65], [115.205, -8.69]];
    const fc = { type: 'FeatureCollection', features: [{ type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: [ring] } }] };
    await page.setInputFiles('[data-testid="op-upload"]', { name: 'area.geojson', mimeType: 'application/geo+json', buffer: Buffer.from(JSON.stringify(fc)) });
    const info = page.locator('[data-testid="op-draw-info"]');
    await page.waitForFunction(() => /area\.geojson/.test(document.querySelector('[data-testid="op-draw-info"]')?.textContent ?? ''));
    const text = await info.textContent();
    assert(/4/.test(text), `upload info "${text}"`);
    await page.evaluate(() => window.waspada.map.jumpTo({ center: [115.2175, -8.67], zoom: 13 }));
    await mapIdle();
    return text;
  });

  await check('operation planner: pick a starting point on the map', async () => {
    await page.click('[data-testid="op-start"]');
    const box = await page.locator('#map canvas').boundingBox();
    const [x, y] = await page.evaluate(() => { const p = window.waspada.map.project([115.2175, -8.645]); return [p.x, p.y]; });
    await page.mouse.click(box.x + x, box.y + y);
    const info = await page.locator('[data-testid="op-start-info"]').textContent();
    assert(/^-8\.64\d+, 115\.21\d+$/.test(info), `start "${info}"`);
    assert(await page.locator('#info').isHidden(), 'the info panel opened on the pick');
    return info;
  });

  await check('operation planner: 2 teams with ordered stops in distinct colours', async () => {
    await page.fill('[data-testid="op-teams"]', '2');
    await page.click('[data-testid="op-run"]');
    await page.locator('[data-testid="op-summary"]').waitFor();
    const summary = await page.locator('[data-testid="op-summary"]').textContent();
    const teams = await page.locator('details.wf-team').count();
    assert(teams === 2, `${teams} teams`);
    const stops = await page.locator('details.wf-team li').count();
    assert(stops === 16, `${stops} stops, want 15 overstays + hotel A`);
    await mapIdle();
    // Each team's stops are drawn in its own colour (team 1's tight cluster may
    // sit under team 2's markers at this zoom, so colours are read from the
    // rendered features, and pixels are checked for at least one team).
    const colours = await page.evaluate(() => [...new Set(window.waspada.map.queryRenderedFeatures({ layers: ['wf-op-stops'] })
      .map((f) => f.properties.team + ':' + f.properties.colour))].sort());
    assert(colours.length === 2 && colours[0] !== colours[1], `rendered team colours ${colours}`);
    const [blue, orange] = await countColours(['#0072b2', '#d55e00']);
    assert(blue + orange > 60, `team colours on the map: blue ${blue} px, vermillion ${orange} px`);
    await page.locator('details.wf-team').first().locator('summary').click();
    await page.screenshot({ path: path.join(args.out, 'operation-planner.png') });
    return `${summary}; teams ${colours.join(', ')}; blue ${blue} px, vermillion ${orange} px`;
  });

  await check('operation planner: PDF briefing and GeoJSON export', async () => {
    const pdf = await downloadBy('[data-testid="op-export-pdf"]', 'operasi.pdf');
    assert(pdf.body.subarray(0, 5).toString() === '%PDF-' && pdf.body.length > 20000, `pdf ${pdf.body.length} bytes`);
    const gj = await downloadBy('[data-testid="op-export-geojson"]', 'operasi.geojson');
    const fc = JSON.parse(gj.body.toString('utf8'));
    const stops = fc.features.filter((f) => f.properties.role === 'stop').length;
    assert(stops === 16, `${stops} stops in GeoJSON`);
    // The map's status line names the saved file, legibly: text and background
    // differ (an info message was once white text on the info panel's white card).
    await page.waitForFunction((name) => { const e = document.getElementById('status'); return !e.hidden && e.textContent === name; }, gj.suggested, { timeout: 2000 });
    const look = await page.locator('#status').evaluate((e) => {
      const c = getComputedStyle(e);
      return { text: e.textContent, hidden: e.hidden, fg: c.color, bg: c.backgroundColor };
    });
    assert(!look.hidden && look.text === gj.suggested && look.fg !== look.bg && look.bg !== 'rgba(0, 0, 0, 0)', `status ${JSON.stringify(look)}`);
    return `${pdf.suggested} ${pdf.body.length} bytes; ${gj.suggested} ${stops} stops`;
  });

  await check('operation planner: a request without an area is explained', async () => {
    await closeTool('operation-planner');
    await openTool('operation-planner');
    await page.click('[data-testid="op-run"]');
    const msg = await page.locator('[data-testid="op-result"] .wf-error').textContent();
    assert(msg && msg.length > 10, `message "${msg}"`);
    await closeTool('operation-planner');
    return msg;
  });

  // ------------------------------------------------------------ kanwil brief
  await check('kanwil brief PDF for Bali', async () => {
    await as('kanwil');
    await openTool('kanwil-brief');
    await selectWhenReady('[data-testid="brief-province"]', '51');
    const pdf = await downloadBy('[data-testid="brief-run"]', 'brief-kanwil.pdf');
    assert(pdf.body.subarray(0, 5).toString() === '%PDF-' && pdf.body.length > 50000, `pdf ${pdf.body.length} bytes`);
    await page.locator('[data-testid="brief-done"]').waitFor();
    await page.screenshot({ path: path.join(args.out, 'kanwil-brief.png') });
    return `${pdf.suggested} ${pdf.body.length} bytes`;
  });

  await check('no console errors, no foreign requests', async () => {
    assert(foreign.length === 0, `foreign requests: ${foreign.slice(0, 3).join(', ')}`);
    const unexpected = bad;
    assert(unexpected.length === 0, `HTTP errors: ${unexpected.slice(0, 5).join(' | ')}`);
    const errs = consoleErrors.filter((m) => !m.startsWith('Failed to load resource'));
    assert(errs.length === 0, `console errors: ${errs.slice(0, 3).join(' | ')}`);
  });
} finally {
  await context.close();
  await rm(profile, { recursive: true, force: true });
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);

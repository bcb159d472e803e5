// Builds the front end into dist/: one hashed JS bundle (MapLibre included,
// its worker inlined as a blob by MapLibre itself), one hashed CSS file, and
// index.html pointing at them. No CDN, no inline script or style: the server's
// Content-Security-Policy allows only 'self'.
import * as esbuild from 'esbuild';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

const dist = 'dist';
const watch = process.argv.includes('--watch');
await rm(dist, { recursive: true, force: true });
await mkdir(path.join(dist, 'assets'), { recursive: true });

const options = {
  entryPoints: { app: 'src/main.ts' },
  bundle: true,
  format: 'esm',
  target: ['chrome109', 'firefox115', 'safari16'],
  minify: !watch,
  sourcemap: true,
  outdir: path.join(dist, 'assets'),
  entryNames: '[name]-[hash]',
  assetNames: '[name]-[hash]',
  metafile: true,
  logLevel: 'info',
  legalComments: 'linked',
};

async function writeIndex(meta) {
  const outs = Object.keys(meta.outputs);
  const js = outs.find((f) => f.endsWith('.js'));
  const css = outs.find((f) => f.endsWith('.css'));
  if (!js || !css) throw new Error('build produced no JS or CSS bundle');
  const rel = (f) => '/' + path.relative(dist, f).split(path.sep).join('/');
  let html = await readFile('index.html', 'utf8');
  html = html.replace('<!--CSS-->', `<link rel="stylesheet" href="${rel(css)}">`)
             .replace('<!--JS-->', `<script type="module" src="${rel(js)}"></script>`);
  await writeFile(path.join(dist, 'index.html'), html);
}

if (watch) {
  const ctx = await esbuild.context({ ...options, plugins: [{ name: 'index', setup(b) { b.onEnd((r) => r.metafile && writeIndex(r.metafile)); } }] });
  await ctx.watch();
} else {
  const result = await esbuild.build(options);
  await writeIndex(result.metafile);
}

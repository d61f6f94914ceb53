// Bundles the test page (test/browser/page.ts, built to dist/test/browser/) as a user would, in a
// scratch project whose node_modules/nerva is this checkout, with esbuild, Vite and webpack (no
// configuration); serves the bundles on 127.0.0.1 plain (/plain/…) and cross-origin isolated
// (/iso/…, COOP + COEP); drives Debian's Chromium with playwright-core. Used by browser.test.ts
// and bench/browser.ts.
import { existsSync, mkdirSync, mkdtempSync, copyFileSync, writeFileSync, readFileSync, symlinkSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import type { BrowserContext } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
const here = dirname(fileURLToPath(import.meta.url)); // dist/test/browser
const repo = join(here, '..', '..', '..');
const PAGE_FILES = ['page.js', 'scenario.js', 'train.worker.js'];
const HTML = '<!doctype html><meta charset="utf-8"><title>Nerva test page</title>' +
  '<pre id="out" style="font: 14px monospace; white-space: pre-wrap">running…</pre><script type="module" src="./page.js"></script>\n';

/** A scratch project: the page's files, an index.html, and node_modules/nerva → this checkout. */
export function makeProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'nerva-browser-'));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(repo, join(dir, 'node_modules', 'nerva'), 'dir');
  for (const f of PAGE_FILES) copyFileSync(join(here, f), join(dir, f));
  writeFileSync(join(dir, 'index.html'), HTML);
  writeFileSync(join(dir, 'package.json'), '{ "name": "nerva-test-page", "private": true, "type": "module" }\n');
  return dir;
}

/** esbuild with no options beyond bundling: the page and the worker script as two entries. */
export async function bundleEsbuild(project: string): Promise<string> {
  const esbuild = await import('esbuild');
  const out = join(project, 'out-esbuild');
  await esbuild.build({
    entryPoints: [join(project, 'page.js'), join(project, 'train.worker.js')],
    bundle: true, format: 'esm', platform: 'browser', outdir: out, logLevel: 'error', absWorkingDir: project,
  });
  copyFileSync(join(project, 'index.html'), join(out, 'index.html'));
  return out;
}

/** `vite build` with no config file (it finds the worker through `new Worker(new URL(…))`); base './'
 * only because the tests serve each bundle under a path of its own. */
export async function bundleVite(project: string): Promise<string> {
  const vite = await import('vite');
  const out = join(project, 'out-vite');
  await vite.build({ root: project, configFile: false, logLevel: 'error', base: './', build: { outDir: out, emptyOutDir: true } });
  return out;
}

/** webpack 5 with only an entry and an output folder (it emits the worker from `new Worker(new URL(…))`). */
export async function bundleWebpack(project: string): Promise<string> {
  const { default: webpack } = await import('webpack');
  const out = join(project, 'out-webpack');
  const stats = await new Promise<import('webpack').Stats>((resolve, reject) => {
    webpack({ mode: 'production', context: project, entry: './page.js', output: { path: out, filename: 'page.js' } }, (err, st) => (err ? reject(err) : resolve(st!)));
  });
  if (stats.hasErrors()) throw new Error(`webpack: ${stats.toString({ all: false, errors: true })}`);
  copyFileSync(join(project, 'index.html'), join(out, 'index.html'));
  return out;
}

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm' };

/** Serves `/plain/<name>/…` and `/iso/<name>/…` (the latter with COOP/COEP) from `roots[name]`. */
export async function serve(roots: Record<string, string>): Promise<{ origin: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const [, mode, name, ...rest] = path.split('/');
    const root = roots[name ?? ''];
    const file = root === undefined ? undefined : normalize(join(root, rest.join('/') || 'index.html'));
    if ((mode !== 'plain' && mode !== 'iso') || file === undefined || !file.startsWith(root!) || !existsSync(file)) {
      res.writeHead(404).end('not found');
      return;
    }
    const headers: Record<string, string> = { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-store' };
    if (mode === 'iso') Object.assign(headers, { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' });
    res.writeHead(200, headers).end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { origin: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Headless Chromium with a fresh profile, nothing fetched from outside. */
export async function launch(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(join(tmpdir(), 'nerva-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return { context, close: async () => { await context.close(); rmSync(profile, { recursive: true, force: true }); } };
}

export interface PageRun<T> {
  result?: T;
  error?: string;
  console: string[];
}

/** Opens `url`, waits for window.nervaResult (or nervaError), saves a screenshot. */
export async function runPage<T>(context: BrowserContext, url: string, screenshot?: string, timeoutMs = 90_000): Promise<PageRun<T>> {
  const page = await context.newPage();
  const logs: string[] = [];
  page.on('console', (m) => logs.push(m.text()));
  page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
  try {
    await page.goto(url);
    await page.waitForFunction(() => {
      const w = window as unknown as { nervaResult?: unknown; nervaError?: string };
      return w.nervaResult !== undefined || w.nervaError !== undefined;
    }, null, { timeout: timeoutMs, polling: 100 });
    const got = await page.evaluate(() => {
      const w = window as unknown as { nervaResult?: unknown; nervaError?: string };
      return { result: w.nervaResult, error: w.nervaError };
    });
    if (screenshot !== undefined) {
      mkdirSync(dirname(screenshot), { recursive: true });
      await page.screenshot({ path: screenshot });
    }
    return { result: got.result as T | undefined, error: got.error, console: logs };
  } finally {
    await page.close();
  }
}

/** Where screenshots go (git-ignored). */
export const ARTIFACTS = join(repo, 'artifacts', 'browser');

// End-to-end test of the capture-quality page (target/page, assembled by scripts/page.sh) in
// headless Chromium: the fixtures through the file input, both languages, face eyes clicked,
// the page reloaded offline from its service worker, and the fake camera's 640x480 frames
// checked live, with the per-check times printed.
//
// The camera is Chromium's fake device playing a Y4M clip (written here from a fixture with
// galton's own decoder, target/wasm/node): 640x480 frames of a real fingerprint or face, so
// that the live checks measure real work rather than an empty test pattern.
//
// Run: ./scripts/browser-env.sh && ./scripts/page.sh && node --test bindings-wasm/e2e/
// Chromium is /usr/bin/chromium, or $CHROMIUM. Screenshots go to target/page-screenshots/.

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const pageDir = path.join(root, 'target/page');
const shotDir = path.join(root, 'target/page-screenshots');
const fixture = (name) => path.join(root, 'fixtures', name);
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
// The page is served under a subpath, as a real deployment may be: nothing may assume "/".
const BASE = '/station/capture/';

const FINGER_GOOD = fixture('synth/1_1.png');
const FINGER_BAD = fixture('capture/finger-smudged.png');
const FACE_GOOD = fixture('face/astronaut.jpg');
const FACE_DARK = fixture('capture/face-dark.jpg');
const ASTRONAUT = JSON.parse(readFileSync(fixture('face/astronaut.json'), 'utf8'));

const BROWSER_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const CAMERA_ARGS = ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'];

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
};

/** A static server of target/page under BASE on 127.0.0.1, on a free port. Setting
 * `server.swSuffix` serves sw.js with that appended to its VERSION: a new build, as far as the
 * browser can tell. */
function serve() {
  const server = http.createServer((req, res) => {
    const { pathname } = new URL(req.url, 'http://localhost');
    if (pathname === BASE.slice(0, -1)) {
      res.writeHead(301, { Location: BASE }).end();
      return;
    }
    let rel = pathname.startsWith(BASE) ? decodeURIComponent(pathname.slice(BASE.length)) : null;
    if (rel === '' || rel?.endsWith('/')) rel += 'index.html';
    const file = rel === null ? null : path.resolve(pageDir, rel);
    if (!file || !file.startsWith(pageDir + path.sep)) {
      res.writeHead(404).end('not found');
      return;
    }
    let body;
    try {
      body = readFileSync(file);
    } catch {
      res.writeHead(404).end('not found');
      return;
    }
    if (rel === 'sw.js' && server.swSuffix) {
      body = Buffer.from(body.toString().replace(/^const VERSION = '(\w+)';$/m, `const VERSION = '$1${server.swSuffix}';`));
    }
    res.writeHead(200, {
      'Content-Type': MIME[path.extname(file)] ?? 'application/octet-stream',
      'Content-Length': body.length,
      'Cache-Control': 'no-cache',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** A fresh Chromium (its own user-data dir) with the page open and every request, console
 * error and page error recorded. */
async function open(server, extraArgs = []) {
  const userDataDir = mkdtempSync(path.join(os.tmpdir(), 'galton-e2e-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    args: [...BROWSER_ARGS, ...extraArgs],
    viewport: { width: 1360, height: 940 },
    locale: 'en-US',
  });
  const requests = [];
  const errors = [];
  context.on('request', (r) => requests.push(r.url()));
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(20_000);
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`page: ${e.message}`));
  await page.addInitScript(() => {
    window.__results = [];
    document.addEventListener('galton:result', (e) => window.__results.push({ ...e.detail, at: performance.now() }));
  });
  const url = `http://127.0.0.1:${server.address().port}${BASE}`;
  await page.goto(url);
  await page.waitForSelector('body[data-state=ready]');
  const close = async () => {
    await context.close();
    rmSync(userDataDir, { recursive: true, force: true });
  };
  return { context, page, url, requests, errors, close };
}

const results = (page) => page.evaluate(() => Number(document.body.dataset.results));

/** Does `action` and waits until the page has shown a result after it. */
async function fresh(page, action) {
  const n = await results(page);
  await action();
  await page.waitForFunction((n) => Number(document.body.dataset.results) > n, n);
}

async function loadFile(page, file) {
  await fresh(page, () => page.setInputFiles('[data-testid=file-input]', file));
}

async function readout(page) {
  return page.evaluate(() => ({
    verdict: document.querySelector('[data-testid=verdict]').dataset.verdict,
    verdictText: document.querySelector('[data-testid=verdict]').textContent.trim(),
    codes: [...document.querySelectorAll('[data-testid=messages] li[data-code]')].map((li) => li.dataset.code),
    messages: [...document.querySelectorAll('[data-testid=messages] li[data-code]')].map((li) => li.textContent),
    bars: [...document.querySelectorAll('[data-testid=measure]')].map((li) => ({
      id: li.dataset.id,
      pass: li.dataset.pass === 'true',
      width: li.querySelector('.bar-fill').getBoundingClientRect().width,
    })),
    timing: document.querySelector('[data-testid=timing]').textContent,
    minutiae: Number(document.querySelector('[data-testid=overlay]').dataset.minutiae),
    region: document.querySelector('[data-testid=overlay]').dataset.region,
    lang: document.documentElement.lang,
  }));
}

/** Pixels of the overlay canvas that are not transparent. */
const paintedPixels = (page) =>
  page.evaluate(() => {
    const c = document.querySelector('[data-testid=overlay]');
    const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
    return n;
  });

function shot(page, name) {
  mkdirSync(shotDir, { recursive: true });
  return page.screenshot({ path: path.join(shotDir, `${name}.png`), fullPage: true });
}

function assertStayedLocal(requests) {
  const outside = requests.filter((u) => {
    const url = new URL(u);
    if (url.protocol === 'data:' || url.protocol === 'blob:') return false;
    return !(url.protocol === 'http:' && (url.hostname === '127.0.0.1' || url.hostname === 'localhost'));
  });
  assert.deepEqual(outside, [], 'requests that left localhost');
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const galtonNode = () => createRequire(import.meta.url)(path.join(root, 'target/wasm/node/galton_wasm.js'));

/** A 640x480 Y4M clip (4:2:0, full range) of `frames` copies of an image fixture, centred
 * on its own border colour: what Chromium's fake camera plays with
 * --use-file-for-fake-video-capture. */
function y4m(image, out, frames = 10) {
  const src = galtonNode().decodeImage(readFileSync(image));
  const W = 640;
  const H = 480;
  const rgba = new Uint8Array(W * H * 4);
  // The mean colour of the image's border fills the rest of the frame.
  const fill = [0, 0, 0];
  let n = 0;
  for (let y = 0; y < src.height; y++) {
    for (let x = 0; x < src.width; x++) {
      if (y > 1 && y < src.height - 2 && x > 1 && x < src.width - 2) continue;
      for (let c = 0; c < 3; c++) fill[c] += src.data[4 * (y * src.width + x) + c];
      n++;
    }
  }
  const ox = Math.floor((W - src.width) / 2);
  const oy = Math.floor((H - src.height) / 2);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const sx = x - ox;
      const sy = y - oy;
      const inside = sx >= 0 && sy >= 0 && sx < src.width && sy < src.height;
      for (let c = 0; c < 3; c++) rgba[4 * (y * W + x) + c] = inside ? src.data[4 * (sy * src.width + sx) + c] : fill[c] / n;
    }
  }
  const frame = Buffer.alloc(W * H * 1.5);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const i = 4 * (y * W + x);
      frame[y * W + x] = Math.round(0.299 * rgba[i] + 0.587 * rgba[i + 1] + 0.114 * rgba[i + 2]);
    }
  }
  for (let y = 0; y < H / 2; y++) {
    for (let x = 0; x < W / 2; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (const [dx, dy] of [[0, 0], [1, 0], [0, 1], [1, 1]]) {
        const i = 4 * ((2 * y + dy) * W + 2 * x + dx);
        r += rgba[i] / 4;
        g += rgba[i + 1] / 4;
        b += rgba[i + 2] / 4;
      }
      const clamp = (v) => Math.max(0, Math.min(255, Math.round(v)));
      frame[W * H + y * (W / 2) + x] = clamp(128 - 0.168736 * r - 0.331264 * g + 0.5 * b);
      frame[W * H * 1.25 + y * (W / 2) + x] = clamp(128 + 0.5 * r - 0.418688 * g - 0.081312 * b);
    }
  }
  const header = Buffer.from(`YUV4MPEG2 W${W} H${H} F30:1 Ip A1:1 C420jpeg\n`);
  const marker = Buffer.from('FRAME\n');
  writeFileSync(out, Buffer.concat([header, ...Array.from({ length: frames }, () => [marker, frame]).flat()]));
  return out;
}

let server;
before(async () => {
  assert.ok(statSync(path.join(pageDir, 'index.html')).isFile(), 'run ./scripts/page.sh first');
  server = await serve();
});
after(() => server?.close());

describe('page with image files', () => {
  let b;
  before(async () => {
    b = await open(server);
  });
  after(async () => {
    await b?.close();
  });

  test('good fingerprint: pass verdict, no messages, a bar per measure, minutiae drawn', async () => {
    const { page } = b;
    await loadFile(page, FINGER_GOOD);
    const r = await readout(page);
    assert.equal(r.verdict, 'pass');
    assert.equal(r.verdictText, 'Good capture');
    assert.deepEqual(r.codes, []);
    assert.equal(r.bars.length, 11, `bars: ${r.bars.map((x) => x.id)}`);
    assert.ok(r.bars.every((x) => x.pass && x.width > 0));
    assert.ok(r.minutiae > 15, `minutiae drawn: ${r.minutiae}`);
    assert.ok((await paintedPixels(page)) > 1000, 'the overlay canvas is drawn');
    assert.match(r.timing, /check: \d+\.\d ms/);
    assert.match(r.timing, /288 × 384/);
    await shot(page, 'finger-good');
  });

  test('bad fingerprint: retake, the messages in English, then in Spanish', async () => {
    const { page } = b;
    await loadFile(page, FINGER_BAD);
    let r = await readout(page);
    assert.equal(r.verdict, 'fail');
    assert.equal(r.verdictText, 'Retake');
    assert.deepEqual(r.codes, ['low_contrast', 'small_area', 'too_few_minutiae']);
    assert.ok(r.messages.every((m) => m.length > 10));
    assert.ok(r.bars.some((x) => !x.pass), 'a failing bar');
    assert.equal(r.lang, 'en');

    await fresh(page, () => page.check('[data-testid=lang-es]'));
    r = await readout(page);
    assert.equal(r.lang, 'es');
    assert.equal(r.verdictText, 'Repetir');
    assert.deepEqual(r.codes, ['low_contrast', 'small_area', 'too_few_minutiae']);
    assert.match(r.messages[0], /^La huella se ve tenue/);
    assert.match(await page.textContent('[data-testid=timing]'), /control: \d+\.\d ms/);
    await shot(page, 'finger-bad-es');

    await fresh(page, () => page.check('[data-testid=lang-en]'));
    assert.equal((await readout(page)).verdictText, 'Retake');
  });

  test('face: the astronaut passes, eyes clicked set the region; the dark face fails too_dark', async () => {
    const { page } = b;
    // The mode switch checks the image already loaded again: wait for that result first.
    await fresh(page, () => page.check('[data-testid=mode-face]'));
    await loadFile(page, FACE_GOOD);
    let r = await readout(page);
    assert.equal(r.verdict, 'pass');
    assert.deepEqual(r.codes, []);
    assert.equal(r.bars.length, 10);
    assert.ok(r.region, 'a region is drawn');

    // Click both eyes where astronaut.json has them; the face is then measured from them.
    const box = await page.locator('[data-testid=overlay]').boundingBox();
    const scale = box.width / 500;
    for (const [x, y] of [ASTRONAUT.eyes.right, ASTRONAUT.eyes.left]) {
      const click = () => page.mouse.click(box.x + x * scale, box.y + y * scale);
      await fresh(page, click);
    }
    r = await readout(page);
    assert.equal(r.verdict, 'pass');
    const [x, y, w, h] = r.region.split(',').map(Number);
    // faceQuality(astronaut, { eyes }) analyses {x: 147, y: 172, width: 203, height: 236}.
    for (const [got, want] of [[x, 147], [y, 172], [w, 203], [h, 236]]) {
      assert.ok(Math.abs(got - want) <= 3, `region from the eyes ${r.region}`);
    }
    await shot(page, 'face-good');

    await loadFile(page, FACE_DARK);
    r = await readout(page);
    assert.equal(r.verdict, 'fail');
    assert.deepEqual(r.codes, ['too_dark']);
    await fresh(page, () => page.check('[data-testid=lang-es]'));
    r = await readout(page);
    assert.match(r.messages[0], /^Su rostro se ve muy oscuro/);
    await shot(page, 'face-dark-es');
    await fresh(page, () => page.check('[data-testid=lang-en]'));
    await fresh(page, () => page.check('[data-testid=mode-finger]'));
  });

  test('a PGM, which the browser cannot decode: galton decodes it in the worker, and it is shown', async () => {
    const { page } = b;
    const gray = galtonNode().decodeImage(readFileSync(FINGER_GOOD), { gray: true });
    const pgm = Buffer.concat([Buffer.from(`P5\n${gray.width} ${gray.height}\n255\n`), Buffer.from(gray.data)]);
    await fresh(page, () => page.setInputFiles('[data-testid=file-input]', { name: '1_1.pgm', mimeType: 'image/x-portable-graymap', buffer: pgm }));
    const r = await readout(page);
    assert.equal(r.verdict, 'pass');
    assert.ok(r.minutiae > 15);
    await page.waitForSelector('#image', { state: 'visible' });
    assert.deepEqual(await page.evaluate(() => [document.querySelector('#image').width, document.querySelector('#image').height]), [288, 384]);
  });

  test('a file that is no image: the error verdict and galton\'s reason', async () => {
    const { page } = b;
    await fresh(page, () =>
      page.setInputFiles('[data-testid=file-input]', { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not an image') }),
    );
    const r = await readout(page);
    assert.equal(r.verdict, 'error');
    assert.deepEqual(r.codes, ['invalid_image']);
    assert.match(r.messages[0], /unrecognised image format/);
    assert.equal(await page.isVisible('#empty'), true, 'no stale image is left on the stage');
  });

  test('offline: once loaded, the page reloads and checks with no network', async () => {
    const { page, context } = b;
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    await context.setOffline(true);
    try {
      await page.reload();
      await page.waitForSelector('body[data-state=ready]');
      assert.equal(await page.evaluate(() => navigator.onLine), false);
      await loadFile(page, FINGER_GOOD);
      const r = await readout(page);
      assert.equal(r.verdict, 'pass');
      assert.ok(r.minutiae > 15);
    } finally {
      await context.setOffline(false);
    }
  });

  test('a new build: the page offers to reload, and the new cache replaces the old', async () => {
    const { page } = b;
    const before = await page.evaluate(() => caches.keys());
    assert.equal(before.length, 1);
    server.swSuffix = 'next';
    try {
      await page.evaluate(() => navigator.serviceWorker.getRegistration().then((r) => r.update()));
      await page.waitForSelector('#update', { state: 'visible' });
      await Promise.all([page.waitForEvent('load'), page.click('#update-reload')]);
      await page.waitForSelector('body[data-state=ready]');
      assert.deepEqual(await page.evaluate(() => caches.keys()), [`${before[0]}next`]);
      await loadFile(page, FINGER_GOOD);
      assert.equal((await readout(page)).verdict, 'pass');
    } finally {
      server.swSuffix = null;
    }
  });

  test('nothing left localhost; no console or page errors', () => {
    assertStayedLocal(b.requests);
    assert.deepEqual(b.errors, []);
  });
});

describe('page with the camera', () => {
  let clips;
  before(() => {
    clips = mkdtempSync(path.join(os.tmpdir(), 'galton-e2e-clips-'));
  });
  after(() => rmSync(clips, { recursive: true, force: true }));

  /** Runs the fake camera playing `image` in `mode` for `ms`; the results of its frames,
   * printed as one table line, after the checks that every frame was 640x480 and that the
   * checks ran continuously. */
  async function live(name, mode, image, ms) {
    const clip = y4m(image, path.join(clips, `${mode}.y4m`));
    const b = await open(server, [...CAMERA_ARGS, `--use-file-for-fake-video-capture=${clip}`]);
    try {
      const { page } = b;
      await page.check(`[data-testid=mode-${mode}]`);
      await page.click('[data-testid=camera-button]');
      await page.waitForFunction(() => window.__results.some((r) => r.source === 'camera'));
      assert.equal(await page.getAttribute('[data-testid=camera-button]', 'aria-pressed'), 'true');
      await page.evaluate(() => {
        window.__results = [];
      });
      await page.waitForTimeout(ms);
      const frames = await page.evaluate((mode) => window.__results.filter((r) => r.source === 'camera' && r.mode === mode), mode);
      await shot(page, `camera-${mode}`);
      await page.click('[data-testid=camera-button]');
      assert.equal(await page.getAttribute('[data-testid=camera-button]', 'aria-pressed'), 'false');

      assert.ok(frames.length >= 10, `${name}: only ${frames.length} frames checked in ${ms} ms`);
      for (const f of frames) assert.deepEqual([f.width, f.height], [640, 480], `${name}: frame size`);
      // Continuously: no pause of more than half a second between two results.
      const gaps = frames.slice(1).map((f, i) => f.at - frames[i].at);
      assert.ok(Math.max(...gaps) < 500, `${name}: a gap of ${Math.max(...gaps).toFixed(0)} ms between results`);
      const sorted = frames.map((f) => f.checkMs).sort((a, b) => a - b);
      const fps = (1000 * (frames.length - 1)) / (frames.at(-1).at - frames[0].at);
      console.log(
        `page: ${name} 640x480 median ${percentile(sorted, 50).toFixed(1)} ms p95 ${percentile(sorted, 95).toFixed(1)} ms ` +
          `over ${frames.length} frames (${fps.toFixed(1)} results/s; goal <= 30 ms per check)`,
      );
      assertStayedLocal(b.requests);
      assert.deepEqual(b.errors, []);
      return frames;
    } finally {
      await b.close();
    }
  }

  test('fake camera, fingerprint: 640x480 frames checked continuously, minutiae drawn', async () => {
    const frames = await live('finger quality', 'finger', FINGER_GOOD, 3000);
    assert.ok(frames.some((f) => f.minutiaeMs !== null), 'minutiae were extracted from live frames');
  });

  test('fake camera, face: 640x480 frames checked continuously', async () => {
    const frames = await live('face quality', 'face', FACE_GOOD, 3000);
    // What galton says of the frame's centre is its own business (tested in Node); here: a
    // verdict and a score for every frame.
    assert.ok(frames.every((f) => typeof f.pass === 'boolean' && f.score > 0), JSON.stringify(frames.at(-1)));
  });
});

// The capture-quality page: picks an image (a file or the camera's frames), has the worker
// check it with galton, and shows the verdict, what to fix, each measure and the minutiae or
// the face region drawn over the image.
//
// Hooks for tests and kiosks: body[data-state] is "loading", "ready" or "error";
// body[data-results] counts the results shown; each result also dispatches a
// `galton:result` event on document with { mode, source, width, height, checkMs, minutiaeMs,
// pass, score, codes }.

import { initialLang, measureName, saveLang, t, translatePage } from './i18n.js';

const $ = (id) => document.getElementById(id);
const els = {
  body: document.body,
  file: $('file'),
  fileName: $('file-name'),
  camera: $('camera'),
  ppi: $('ppi'),
  eyesClear: $('eyes-clear'),
  eyesHint: $('eyes-hint'),
  status: $('status'),
  stage: $('stage'),
  empty: $('empty'),
  video: $('video'),
  image: $('image'),
  overlay: $('overlay'),
  legend: $('legend'),
  verdict: $('verdict'),
  verdictText: $('verdict-text'),
  score: $('score'),
  scoreValue: $('score-value'),
  messages: $('messages'),
  measures: $('measures'),
  timing: $('timing'),
  update: $('update'),
};

const state = {
  lang: initialLang(),
  mode: 'finger',
  ppi: 500,
  eyes: [], // up to two [x, y] points in image pixels, in the order clicked
  source: null, // 'file' | 'camera' | null
  still: null, // ImageBitmap of the chosen file, kept to check again when a setting changes
  stream: null,
  engineReady: false,
  busy: false, // a job is with the worker
  next: null, // the one job waiting for the worker (newest wins; camera frames never wait)
  frameFresh: false, // the camera has shown a frame that was not yet sent
  jobId: 0,
  results: 0,
  last: null, // the last result shown
  times: [], // recent check times (ms) of the current source, for the median
  error: null,
};

const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
worker.onmessage = (event) => onWorkerMessage(event.data);
worker.onerror = (event) => {
  event.preventDefault();
  engineFailed(event.message || 'worker error');
};

// ---- language and labels -------------------------------------------------------------

function applyLang() {
  translatePage(state.lang);
  for (const input of document.querySelectorAll('input[name=lang]')) input.checked = input.value === state.lang;
  els.camera.querySelector('span').textContent = t(state.lang, state.stream ? 'camera_stop' : 'camera_start');
  updateEyesHint();
  renderStatus();
  renderLegend();
  if (state.last) renderResult(state.last);
  else if (state.error) renderError(state.error);
}

function renderStatus() {
  if (els.body.dataset.state === 'loading') els.status.textContent = t(state.lang, 'loading');
  else if (els.body.dataset.state === 'error') els.status.textContent = t(state.lang, 'engine_failed');
  else if (state.cameraError) els.status.textContent = `${t(state.lang, 'camera_error')}: ${state.cameraError}`;
  else els.status.textContent = '';
}

// ---- the worker ----------------------------------------------------------------------

function onWorkerMessage(msg) {
  if (msg.type === 'ready') {
    state.engineReady = true;
    els.body.dataset.state = 'ready';
    els.body.dataset.version = msg.version;
    renderStatus();
    pump();
    return;
  }
  if (msg.type === 'init-error') {
    engineFailed(msg.message);
    return;
  }
  state.busy = false;
  // A result for a source or settings that changed since is not shown.
  if (msg.id >= (state.staleBefore ?? 0)) {
    if (msg.type === 'result') showResult(msg);
    else showError(msg);
  }
  pump();
}

function engineFailed(message) {
  els.body.dataset.state = 'error';
  state.engineError = message;
  renderStatus();
}

/** Sends the waiting job, or else the camera's newest frame, when the worker is free. */
function pump() {
  if (!state.engineReady || state.busy) return;
  if (state.next) {
    const job = state.next;
    state.next = null;
    dispatch(job);
    return;
  }
  if (state.source === 'camera' && state.frameFresh && els.video.videoWidth > 0) {
    state.frameFresh = false;
    state.busy = true;
    createImageBitmap(els.video).then(
      (bitmap) => dispatch({ ...settings('camera'), bitmap }, true),
      () => {
        state.busy = false;
      },
    );
  }
}

function settings(source) {
  return {
    id: ++state.jobId,
    source,
    mode: state.mode,
    lang: state.lang,
    ppi: state.ppi,
    eyes: eyesOption(),
    minutiae: state.mode === 'finger',
  };
}

function dispatch(job, alreadyBusy = false) {
  if (!alreadyBusy) state.busy = true;
  const transfer = [];
  if (job.bitmap) transfer.push(job.bitmap);
  if (job.bytes) transfer.push(job.bytes);
  worker.postMessage(job, transfer);
}

/** Checks the still image again (a setting changed); camera frames pick settings up anyway. */
async function recheckStill() {
  if (state.source !== 'file' || !state.still) return;
  state.staleBefore = state.jobId + 1;
  state.next = { ...settings('file'), bitmap: await createImageBitmap(state.still) };
  pump();
}

// ---- sources -------------------------------------------------------------------------

els.file.addEventListener('change', async () => {
  const file = els.file.files?.[0];
  if (!file) return;
  stopCamera();
  state.source = 'file';
  state.eyes = [];
  state.error = null;
  state.times = [];
  state.staleBefore = state.jobId + 1;
  els.fileName.textContent = file.name;
  let bitmap = null;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    // A format the browser cannot show (TIFF, PGM, 16-bit): galton decodes it in the worker.
  }
  state.still = bitmap;
  setSource('file');
  if (bitmap) {
    showStill(bitmap);
    state.next = { ...settings('file'), bitmap: await createImageBitmap(bitmap) };
  } else {
    clearStage(); // until the worker has decoded it, or said what is wrong with it
    state.next = { ...settings('file'), bytes: await file.arrayBuffer() };
  }
  updateEyesHint();
  pump();
});

function showStill(bitmap) {
  const { width, height } = bitmap;
  els.image.width = width;
  els.image.height = height;
  els.image.getContext('2d').drawImage(bitmap, 0, 0);
  els.image.hidden = false;
  els.video.hidden = true;
  sizeStage(width, height);
}

function clearStage() {
  els.image.hidden = true;
  els.video.hidden = true;
  els.overlay.hidden = true;
  els.empty.hidden = false;
  els.stage.classList.remove('has-image');
  els.stage.style.removeProperty('--ratio');
}

/** The source in use, also as body[data-source] (the eyes can only be clicked on a still). */
function setSource(source) {
  state.source = source;
  if (source) els.body.dataset.source = source;
  else delete els.body.dataset.source;
}

function sizeStage(width, height) {
  els.empty.hidden = true;
  els.stage.classList.add('has-image');
  els.stage.style.setProperty('--ratio', String(width / height));
  if (els.overlay.width !== width || els.overlay.height !== height) {
    els.overlay.width = width;
    els.overlay.height = height;
  }
  els.overlay.hidden = false;
}

els.camera.addEventListener('click', () => (state.stream ? stopCamera() : startCamera()));

async function startCamera() {
  state.cameraError = null;
  try {
    state.stream = await navigator.mediaDevices.getUserMedia({
      video: { width: { ideal: 640 }, height: { ideal: 480 }, facingMode: 'user' },
      audio: false,
    });
  } catch (err) {
    state.stream = null;
    state.cameraError = err?.message || String(err);
    renderStatus();
    return;
  }
  renderStatus();
  setSource('camera');
  state.still = null;
  state.eyes = [];
  state.times = [];
  state.staleBefore = state.jobId + 1;
  els.fileName.textContent = '';
  els.file.value = '';
  const video = els.video;
  video.srcObject = state.stream;
  video.hidden = false;
  els.image.hidden = true;
  els.camera.setAttribute('aria-pressed', 'true');
  els.camera.classList.add('active');
  els.camera.querySelector('span').textContent = t(state.lang, 'camera_stop');
  await video.play().catch(() => {});
  onFrame();
  updateEyesHint();
}

/** Marks each new camera frame, then sends it if the worker is free (frames arriving while
 * it is busy are dropped: only the newest is ever sent). */
function onFrame() {
  if (!state.stream) return;
  const video = els.video;
  if (video.videoWidth && video.videoHeight) sizeStage(video.videoWidth, video.videoHeight);
  state.frameFresh = true;
  pump();
  if (video.requestVideoFrameCallback) video.requestVideoFrameCallback(onFrame);
  else requestAnimationFrame(onFrame);
}

function stopCamera() {
  if (!state.stream) return;
  state.staleBefore = state.jobId + 1; // the frame with the worker now is not shown
  for (const track of state.stream.getTracks()) track.stop();
  state.stream = null;
  state.frameFresh = false;
  els.video.srcObject = null;
  els.camera.setAttribute('aria-pressed', 'false');
  els.camera.classList.remove('active');
  els.camera.querySelector('span').textContent = t(state.lang, 'camera_start');
  if (state.source === 'camera') {
    setSource(null);
    clearStage();
    state.last = null;
    clearResult();
  }
}

// ---- settings ------------------------------------------------------------------------

for (const input of document.querySelectorAll('input[name=lang]')) {
  input.addEventListener('change', () => {
    if (!input.checked) return;
    state.lang = input.value;
    saveLang(state.lang);
    applyLang();
    recheckStill();
  });
}

for (const input of document.querySelectorAll('input[name=mode]')) {
  input.addEventListener('change', () => {
    if (!input.checked) return;
    state.mode = input.value;
    els.body.dataset.mode = state.mode;
    state.eyes = [];
    state.last = null;
    state.times = [];
    state.staleBefore = state.jobId + 1;
    clearResult();
    updateEyesHint();
    renderLegend();
    recheckStill();
  });
}

els.ppi.addEventListener('change', () => {
  const ppi = Math.round(Number(els.ppi.value));
  if (!(ppi >= 300 && ppi <= 1000)) {
    els.ppi.value = String(state.ppi);
    return;
  }
  state.ppi = ppi;
  recheckStill();
});

// ---- eyes (face mode) ----------------------------------------------------------------

els.overlay.addEventListener('click', (event) => {
  if (state.mode !== 'face' || state.source !== 'file') return;
  const rect = els.overlay.getBoundingClientRect();
  const x = ((event.clientX - rect.left) * els.overlay.width) / rect.width;
  const y = ((event.clientY - rect.top) * els.overlay.height) / rect.height;
  if (state.eyes.length >= 2) state.eyes = [];
  state.eyes.push([Math.round(x * 10) / 10, Math.round(y * 10) / 10]);
  updateEyesHint();
  if (state.last) drawOverlay(state.last);
  recheckStill();
});

els.eyesClear.addEventListener('click', () => {
  state.eyes = [];
  updateEyesHint();
  recheckStill();
});

function eyesOption() {
  if (state.mode !== 'face' || state.eyes.length !== 2) return null;
  const [a, b] = [...state.eyes].sort((p, q) => p[0] - q[0]);
  return { left: a, right: b };
}

function updateEyesHint() {
  const n = state.eyes.length;
  els.eyesClear.disabled = n === 0;
  els.eyesHint.textContent = t(state.lang, n === 1 ? 'eyes_one' : n === 2 ? 'eyes_set' : 'eyes_hint');
  els.overlay.classList.toggle('clickable', state.mode === 'face' && state.source === 'file');
}

// ---- results -------------------------------------------------------------------------

function showResult(msg) {
  state.error = null;
  state.last = msg;
  if (msg.decoded) {
    // The worker decoded a file the browser could not: show its pixels.
    createImageBitmap(msg.decoded).then((bitmap) => {
      state.still = bitmap;
      showStill(bitmap);
      drawOverlay(msg);
    });
    msg.decoded = null;
  }
  state.times.push(msg.checkMs);
  if (state.times.length > 300) state.times.shift();
  renderResult(msg);
  state.results += 1;
  els.body.dataset.results = String(state.results);
  document.dispatchEvent(
    new CustomEvent('galton:result', {
      detail: {
        mode: msg.mode,
        source: msg.source ?? state.source,
        width: msg.width,
        height: msg.height,
        checkMs: msg.checkMs,
        minutiaeMs: msg.minutiaeMs,
        pass: msg.quality.pass,
        score: msg.quality.score,
        codes: msg.quality.feedback.map((f) => f.code),
      },
    }),
  );
}

function showError(msg) {
  state.last = null;
  state.error = msg;
  renderError(msg);
  state.results += 1;
  els.body.dataset.results = String(state.results);
}

function renderError(msg) {
  setVerdict('error', t(state.lang, 'verdict_error'));
  els.score.hidden = true;
  els.messages.replaceChildren(messageItem(msg.code, msg.message));
  els.messages.dataset.key = `error|${msg.code}|${msg.message}`;
  els.measures.replaceChildren();
  els.timing.textContent = '—';
  clearOverlay();
}

function clearResult() {
  setVerdict('none', t(state.lang, 'verdict_none'));
  els.score.hidden = true;
  els.messages.replaceChildren();
  delete els.messages.dataset.key;
  els.measures.replaceChildren();
  els.timing.textContent = '—';
  clearOverlay();
}

function setVerdict(kind, text) {
  els.verdict.dataset.verdict = kind;
  if (els.verdictText.textContent !== text) els.verdictText.textContent = text;
  els.verdictText.removeAttribute('data-i18n');
}

function renderResult(msg) {
  const { quality } = msg;
  const lang = state.lang;
  setVerdict(quality.pass ? 'pass' : 'fail', t(lang, quality.pass ? 'verdict_pass' : 'verdict_fail'));
  els.score.hidden = false;
  els.scoreValue.textContent = String(Math.round(quality.score));

  // The list is a live region: rebuilt only when what it says changes, not at every frame.
  const key = `${lang}|${quality.feedback.map((f) => `${f.code}:${f.message}`).join('|')}`;
  if (els.messages.dataset.key !== key) {
    const messages = quality.feedback.map((f) => messageItem(f.code, f.message));
    if (messages.length === 0) {
      const li = document.createElement('li');
      li.className = 'none';
      li.textContent = t(lang, 'no_messages');
      messages.push(li);
    }
    els.messages.replaceChildren(...messages);
    els.messages.dataset.key = key;
    els.messages.dataset.count = String(quality.feedback.length);
  }

  renderMeasures(quality.measures);
  renderTiming(msg);
  drawOverlay(msg);
}

function messageItem(code, text) {
  const li = document.createElement('li');
  li.dataset.code = code;
  li.textContent = text;
  return li;
}

/** One row per measure: name, bar, score and pass/fail. Rows are reused from frame to frame
 * so that the live view does not rebuild the list 30 times a second. */
function renderMeasures(measures) {
  if (measures.length === 0) {
    // No fingerprint area at all: nothing was measured.
    const li = document.createElement('li');
    li.className = 'none';
    li.textContent = t(state.lang, 'no_measures');
    els.measures.replaceChildren(li);
    return;
  }
  els.measures.querySelector('li.none')?.remove();
  const rows = els.measures.children;
  while (rows.length > measures.length) rows[rows.length - 1].remove();
  measures.forEach((m, i) => {
    let row = rows[i];
    if (!row) {
      row = document.createElement('li');
      row.className = 'measure';
      row.dataset.testid = 'measure';
      row.innerHTML =
        '<span class="measure-name"></span>' +
        '<span class="bar" role="meter" aria-valuemin="0" aria-valuemax="100"><span class="bar-fill"></span></span>' +
        '<span class="measure-score"></span>' +
        '<span class="measure-verdict"><span class="mark" aria-hidden="true"></span><span class="word"></span></span>';
      els.measures.append(row);
    }
    const name = measureName(state.lang, m.id);
    const score = Math.round(m.score);
    row.dataset.id = m.id;
    row.dataset.pass = String(m.pass);
    row.classList.toggle('failing', !m.pass);
    row.querySelector('.measure-name').textContent = name;
    const bar = row.querySelector('.bar');
    bar.setAttribute('aria-valuenow', String(score));
    bar.setAttribute('aria-label', name);
    bar.setAttribute('aria-valuetext', `${score} / 100, ${t(state.lang, m.pass ? 'pass' : 'fail')}`);
    row.querySelector('.bar-fill').style.width = `${Math.max(0, Math.min(100, m.score))}%`;
    row.querySelector('.measure-score').textContent = String(score);
    row.querySelector('.word').textContent = t(state.lang, m.pass ? 'pass' : 'fail');
  });
}

function renderTiming(msg) {
  const lang = state.lang;
  const parts = [`${t(lang, 'check_ms')}: ${msg.checkMs.toFixed(1)} ms`];
  if (msg.minutiaeMs != null) parts.push(`${t(lang, 'minutiae_ms')}: ${msg.minutiaeMs.toFixed(1)} ms`);
  if (state.times.length >= 5) {
    const sorted = [...state.times].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)];
    parts.push(`${t(lang, 'median')} ${median.toFixed(1)} ms / ${sorted.length} ${t(lang, 'frames')}`);
  }
  parts.push(t(lang, 'frame_size', msg.width, msg.height));
  els.timing.textContent = parts.join(' · ');
  els.timing.dataset.checkMs = msg.checkMs.toFixed(2);
  els.timing.dataset.width = String(msg.width);
  els.timing.dataset.height = String(msg.height);
}

// ---- drawing -------------------------------------------------------------------------

const COLOURS = { ending: '#e5484d', bifurcation: '#0091ff', other: '#f5a524', pass: '#30a46c', fail: '#e5484d', eye: '#ffd60a' };

function clearOverlay() {
  const c = els.overlay;
  c.getContext('2d').clearRect(0, 0, c.width, c.height);
  c.dataset.minutiae = '0';
  delete c.dataset.region;
}

function drawOverlay(msg) {
  const c = els.overlay;
  if (c.width !== msg.width || c.height !== msg.height) {
    c.width = msg.width;
    c.height = msg.height;
  }
  const ctx = c.getContext('2d');
  ctx.clearRect(0, 0, c.width, c.height);
  // Sizes in CSS pixels, whatever the image's own size.
  const rect = c.getBoundingClientRect();
  const px = rect.width > 0 ? c.width / rect.width : 1;
  if (msg.mode === 'finger') drawMinutiae(ctx, msg.template, px);
  else drawFace(ctx, msg.quality, px);
  drawEyes(ctx, px);
  renderLegend(msg);
}

function drawMinutiae(ctx, template, px) {
  const minutiae = template?.minutiae ?? [];
  const r = 5 * px;
  const tail = 14 * px;
  ctx.lineWidth = 2 * px;
  ctx.lineCap = 'round';
  for (const m of minutiae) {
    const colour = COLOURS[m.kind] ?? COLOURS.other;
    ctx.strokeStyle = 'rgba(0, 0, 0, 0.55)';
    ctx.lineWidth = 4 * px;
    shape(ctx, m, r, tail);
    ctx.strokeStyle = colour;
    ctx.lineWidth = 2 * px;
    shape(ctx, m, r, tail);
  }
  els.overlay.dataset.minutiae = String(minutiae.length);
}

/** A circle (ending), square (bifurcation) or diamond (other) with a line along the minutia's
 * direction (counter-clockwise as seen, so y goes up: the tip is at (x + r cos d, y - r sin d)). */
function shape(ctx, m, r, tail) {
  const { x, y, direction: d } = m;
  ctx.beginPath();
  if (m.kind === 'ending') ctx.arc(x, y, r, 0, 2 * Math.PI);
  else if (m.kind === 'bifurcation') ctx.rect(x - r, y - r, 2 * r, 2 * r);
  else {
    ctx.moveTo(x, y - r);
    ctx.lineTo(x + r, y);
    ctx.lineTo(x, y + r);
    ctx.lineTo(x - r, y);
    ctx.closePath();
  }
  const cos = Math.cos(d);
  const sin = Math.sin(d);
  ctx.moveTo(x + r * cos, y - r * sin);
  ctx.lineTo(x + (r + tail) * cos, y - (r + tail) * sin);
  ctx.stroke();
}

function drawFace(ctx, quality, px) {
  const { x, y, width, height } = quality.region;
  const colour = quality.pass ? COLOURS.pass : COLOURS.fail;
  ctx.lineWidth = 5 * px;
  ctx.strokeStyle = 'rgba(0, 0, 0, 0.5)';
  ctx.strokeRect(x, y, width, height);
  ctx.lineWidth = 2.5 * px;
  ctx.strokeStyle = colour;
  ctx.strokeRect(x, y, width, height);
  // Corner ticks, as a viewfinder shows.
  const k = Math.min(width, height) * 0.18;
  ctx.lineWidth = 5 * px;
  ctx.beginPath();
  for (const [cx, cy, sx, sy] of [
    [x, y, 1, 1],
    [x + width, y, -1, 1],
    [x, y + height, 1, -1],
    [x + width, y + height, -1, -1],
  ]) {
    ctx.moveTo(cx, cy + sy * k);
    ctx.lineTo(cx, cy);
    ctx.lineTo(cx + sx * k, cy);
  }
  ctx.stroke();
  els.overlay.dataset.region = `${x},${y},${width},${height}`;
}

function drawEyes(ctx, px) {
  if (state.mode !== 'face') return;
  for (const [x, y] of state.eyes) {
    const r = 7 * px;
    ctx.lineWidth = 3.5 * px;
    ctx.strokeStyle = 'rgba(0, 0, 0, 0.6)';
    crosshair(ctx, x, y, r);
    ctx.lineWidth = 1.8 * px;
    ctx.strokeStyle = COLOURS.eye;
    crosshair(ctx, x, y, r);
  }
}

function crosshair(ctx, x, y, r) {
  ctx.beginPath();
  ctx.arc(x, y, r, 0, 2 * Math.PI);
  ctx.moveTo(x - 2 * r, y);
  ctx.lineTo(x - r * 0.4, y);
  ctx.moveTo(x + r * 0.4, y);
  ctx.lineTo(x + 2 * r, y);
  ctx.moveTo(x, y - 2 * r);
  ctx.lineTo(x, y - r * 0.4);
  ctx.moveTo(x, y + r * 0.4);
  ctx.lineTo(x, y + 2 * r);
  ctx.stroke();
}

function renderLegend(msg = state.last) {
  const lang = state.lang;
  const items = [];
  if (msg && msg.mode === 'finger' && state.mode === 'finger') {
    const list = msg.template?.minutiae ?? [];
    const count = (kind) => list.filter((m) => m.kind === kind).length;
    items.push(['ending', `${t(lang, 'legend_ending')} (${count('ending')})`]);
    items.push(['bifurcation', `${t(lang, 'legend_bifurcation')} (${count('bifurcation')})`]);
    if (count('other') > 0) items.push(['other', `${t(lang, 'legend_other')} (${count('other')})`]);
    items.push(['total', t(lang, 'minutiae_count', list.length)]);
  } else if (msg && msg.mode === 'face' && state.mode === 'face') {
    items.push([msg.quality.pass ? 'region-pass' : 'region-fail', t(lang, 'legend_region')]);
    if (state.eyes.length) items.push(['eye', t(lang, 'legend_eyes')]);
  }
  els.legend.replaceChildren(
    ...items.map(([kind, text]) => {
      const li = document.createElement('li');
      li.className = `legend-${kind}`;
      li.innerHTML = '<span class="swatch" aria-hidden="true"></span>';
      li.append(text);
      return li;
    }),
  );
}

// ---- offline -------------------------------------------------------------------------

function registerServiceWorker() {
  if (!('serviceWorker' in navigator) || !window.isSecureContext) return;
  // Relative to this page, so that the folder works under any path of a server.
  navigator.serviceWorker.register('./sw.js').then(
    (registration) => {
      const offer = () => {
        if (registration.waiting && navigator.serviceWorker.controller) els.update.hidden = false;
      };
      offer();
      registration.addEventListener('updatefound', () => {
        registration.installing?.addEventListener('statechange', offer);
      });
      $('update-reload').addEventListener('click', () => registration.waiting?.postMessage('skip-waiting'));
    },
    () => {
      // Without a service worker the page still works; only offline use is lost.
    },
  );
  let reloading = false;
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    if (els.update.hidden || reloading) return;
    reloading = true;
    location.reload();
  });
  navigator.serviceWorker.ready.then(() => {
    els.body.dataset.offline = 'ready';
  });
}

applyLang();
registerServiceWorker();

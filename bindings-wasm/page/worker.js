// The page's module worker: it owns the galton wasm module, so that no check ever blocks the
// page. One message in, one message out:
//
//   in:  { id, source: 'file'|'camera', mode: 'finger'|'face', lang, ppi, eyes, minutiae: boolean,
//          bitmap: ImageBitmap (transferred) | bytes: ArrayBuffer (an image file) }
//   out: { type: 'result', id, source, mode, width, height, quality, checkMs, template, minutiaeMs,
//          readMs, decoded?: ImageData (when the pixels came from `bytes`) }
//        { type: 'error', id, code, message }
//
// and once, at start, { type: 'ready', version } or { type: 'init-error', message }.
// `checkMs` is performance.now() around the quality call alone; `minutiaeMs` around
// extractMinutiae; `readMs` is the time taken to read the pixels out of the bitmap.

import init, { decodeImage, extractMinutiae, faceQuality, fingerQuality, version } from './pkg/galton_wasm.js';

const ready = init({ module_or_path: new URL('./pkg/galton_wasm_bg.wasm', import.meta.url) }).then(
  () => postMessage({ type: 'ready', version: version() }),
  (err) => {
    postMessage({ type: 'init-error', message: String(err?.message ?? err) });
    throw err;
  },
);

let canvas = null;
let context = null;

/** The RGBA pixels of a bitmap, read through one reused OffscreenCanvas. */
function readBitmap(bitmap) {
  const { width, height } = bitmap;
  if (!canvas || canvas.width !== width || canvas.height !== height) {
    canvas = new OffscreenCanvas(width, height);
    context = canvas.getContext('2d', { willReadFrequently: true });
  }
  context.drawImage(bitmap, 0, 0);
  bitmap.close();
  return context.getImageData(0, 0, width, height);
}

/** Pixels as the wasm functions take them, and an ImageData to show when they were decoded
 * here (formats the browser cannot decode: TIFF, PGM, 16-bit images). */
function pixels(job) {
  if (job.bitmap) return { image: readBitmap(job.bitmap), decoded: null };
  const file = decodeImage(new Uint8Array(job.bytes));
  const image = new ImageData(new Uint8ClampedArray(file.data.buffer, file.data.byteOffset, file.data.length), file.width, file.height);
  return { image, decoded: image };
}

function check(job) {
  const start = performance.now();
  const { image, decoded } = pixels(job);
  const readMs = performance.now() - start;
  const { width, height } = image;

  let quality;
  let checkMs;
  let template = null;
  let minutiaeMs = null;
  if (job.mode === 'finger') {
    const t0 = performance.now();
    quality = fingerQuality(image, { ppi: job.ppi, lang: job.lang });
    checkMs = performance.now() - t0;
    // No fingerprint area, no minutiae worth drawing: save the extraction's time.
    if (job.minutiae && quality.features) {
      const t1 = performance.now();
      template = extractMinutiae(image, { ppi: job.ppi });
      minutiaeMs = performance.now() - t1;
    }
  } else {
    const options = { lang: job.lang };
    if (job.eyes) options.eyes = job.eyes;
    const t0 = performance.now();
    quality = faceQuality(image, options);
    checkMs = performance.now() - t0;
  }
  const message = { type: 'result', id: job.id, source: job.source, mode: job.mode, width, height, quality, checkMs, template, minutiaeMs, readMs, decoded };
  postMessage(message, decoded ? [decoded.data.buffer] : []);
}

self.onmessage = async (event) => {
  const job = event.data;
  try {
    await ready;
    check(job);
  } catch (err) {
    job.bitmap?.close?.();
    postMessage({ type: 'error', id: job.id, code: err?.code ?? 'internal', message: String(err?.message ?? err) });
  }
};

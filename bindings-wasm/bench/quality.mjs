// Time of one capture-quality check in the wasm module (Node.js build, one thread), on
// 640×480 frames as a webcam delivers them: every FVC2002 B image centred in a white
// 640×480 frame (fingerprints), and the face fixture scaled into a 640×480 frame.
// Prints a Markdown table of medians and 95th percentiles.
//   ./scripts/wasm-build.sh && node bindings-wasm/bench/quality.mjs [rounds]
// FVC2002 is read from $GALTON_DATASETS or ../shared/datasets beside the project root.
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const g = createRequire(import.meta.url)(join(root, "target/wasm/node/galton_wasm.js"));
const rounds = Number(process.argv[2] ?? 5);
const datasets = process.env.GALTON_DATASETS ?? join(root, "../shared/datasets");
const W = 640, H = 480;

/** A gray image centred (cropped if larger) in a white W×H frame, as RGBA like ImageData. */
function frame(gray) {
  const out = new Uint8ClampedArray(W * H * 4).fill(255);
  const ox = Math.floor((W - gray.width) / 2), oy = Math.floor((H - gray.height) / 2);
  for (let y = 0; y < H; y++) {
    const sy = y - oy;
    if (sy < 0 || sy >= gray.height) continue;
    for (let x = 0; x < W; x++) {
      const sx = x - ox;
      if (sx < 0 || sx >= gray.width) continue;
      const v = gray.data[sy * gray.width + sx], o = (y * W + x) * 4;
      out[o] = out[o + 1] = out[o + 2] = v;
    }
  }
  return { data: out, width: W, height: H };
}

/** An RGBA image scaled (nearest) to cover a W×H frame, centred. */
function cover(rgba) {
  const s = Math.max(W / rgba.width, H / rgba.height);
  const out = new Uint8ClampedArray(W * H * 4);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const sx = Math.min(rgba.width - 1, Math.floor((x - W / 2) / s + rgba.width / 2));
      const sy = Math.min(rgba.height - 1, Math.floor((y - H / 2) / s + rgba.height / 2));
      out.set(rgba.data.subarray((sy * rgba.width + sx) * 4, (sy * rgba.width + sx) * 4 + 4), (y * W + x) * 4);
    }
  return { data: out, width: W, height: H };
}

function stats(ms) {
  const s = [...ms].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { n: s.length, median: q(0.5), p95: q(0.95) };
}

function time(frames, check, repeat = rounds) {
  for (const f of frames.slice(0, 3)) check(f); // compile and warm up
  const ms = [];
  for (let r = 0; r < repeat; r++)
    for (const f of frames) {
      const t0 = performance.now();
      check(f);
      ms.push(performance.now() - t0);
    }
  return stats(ms);
}

const rows = [];
const fvc = join(datasets, "fvc2002");
if (existsSync(fvc)) {
  for (const db of ["DB1_B", "DB2_B", "DB3_B", "DB4_B"]) {
    const dir = join(fvc, db);
    const frames = readdirSync(dir)
      .filter((f) => f.endsWith(".tif"))
      .map((f) => frame(g.decodeImage(readFileSync(join(dir, f)), { gray: true })));
    rows.push([`fingerQuality, FVC2002 ${db} (${frames.length} prints) in 640×480`, time(frames, (f) => g.fingerQuality(f))]);
  }
} else {
  console.error(`no FVC2002 at ${fvc}: fingerprint rows use the synthetic fixtures`);
}
const synth = readdirSync(join(root, "fixtures/synth"))
  .filter((f) => f.endsWith(".png"))
  .map((f) => frame(g.decodeImage(readFileSync(join(root, "fixtures/synth", f)), { gray: true })));
rows.push([`fingerQuality, synthetic fixtures (${synth.length}) in 640×480`, time(synth, (f) => g.fingerQuality(f))]);
rows.push([`extractMinutiae, synthetic fixtures (${synth.length}) in 640×480`, time(synth, (f) => g.extractMinutiae(f))]);
const faces = ["face/astronaut.jpg", "capture/face-dark.jpg"].map((p) =>
  cover(g.decodeImage(readFileSync(join(root, "fixtures", p)))),
);
rows.push(["faceQuality, face fixtures scaled to 640×480", time(faces, (f) => g.faceQuality(f), rounds * 50)]);

console.log(`# wasm capture-quality checks, Node.js ${process.version}, one thread, ${rounds} rounds\n`);
console.log("| check | frames timed | median ms | p95 ms |\n|---|---:|---:|---:|");
for (const [name, s] of rows) console.log(`| ${name} | ${s.n} | ${s.median.toFixed(1)} | ${s.p95.toFixed(1)} |`);

// Tests of the galton-wasm package (the Node.js build in target/wasm/node), on the
// project's fixture images. Run after ./scripts/wasm-build.sh:
//   node --test bindings-wasm/tests/
// The cross-checks against the native core run the `galton` CLI: $GALTON_BIN, or the binary
// that `cargo test --workspace` / `cargo build -p galton-cli` leave in target/.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const require = createRequire(import.meta.url);
const g = require(join(root, "target/wasm/node/galton_wasm.js"));

const fixture = (p) => readFileSync(join(root, "fixtures", p));
const GOOD_FINGER = "synth/1_1.png";
const BAD_FINGER = "capture/finger-smudged.png";
const GOOD_FACE = "face/astronaut.jpg";
const BAD_FACE = "capture/face-dark.jpg";
const { eyes: EYES, face_box: FACE_BOX } = JSON.parse(fixture("face/astronaut.json"));

/** The native CLI, to compare the wasm results with the core compiled for this machine. */
function galtonBin() {
  const candidates = [
    process.env.GALTON_BIN,
    join(root, "target/debug/galton"),
    join(root, "target/release/galton"),
  ].filter(Boolean);
  const found = candidates.find((p) => existsSync(p));
  assert.ok(
    found,
    `no galton binary for the cross-check: build it (cargo build -p galton-cli) or set GALTON_BIN; looked at ${candidates.join(", ")}`,
  );
  return found;
}

/** Asserts that `fn` throws a GaltonError with this code and a message matching `re`. */
function throwsGalton(fn, code, re) {
  assert.throws(fn, (e) => {
    assert.ok(e instanceof Error, "a JavaScript Error");
    assert.equal(e.name, "GaltonError");
    assert.equal(e.code, code, e.message);
    assert.match(e.message, re);
    return true;
  });
}

test("a good fingerprint passes and a smudged one fails with the reasons, in both languages", () => {
  const good = g.fingerQuality(fixture(GOOD_FINGER));
  assert.equal(good.kind, "finger");
  assert.equal(good.pass, true);
  assert.ok(good.score >= 35 && good.score <= 100, `score ${good.score}`);
  assert.deepEqual(good.feedback, []);
  assert.ok(good.measures.length >= 9, `${good.measures.length} measures`);
  for (const m of good.measures) {
    assert.equal(typeof m.id, "string");
    assert.ok(m.score >= 0 && m.score <= 100, `${m.id} ${m.score}`);
    assert.equal(m.pass, true, m.id);
  }
  assert.ok(good.features.foreground_area_mm2 > 100, JSON.stringify(good.features));

  const bad = g.fingerQuality(fixture(BAD_FINGER), { lang: "en" });
  assert.equal(bad.pass, false);
  assert.ok(bad.score < good.score, `${bad.score} < ${good.score}`);
  const codes = bad.feedback.map((f) => f.code);
  assert.ok(codes.includes("low_contrast"), codes.join());
  assert.match(bad.feedback[codes.indexOf("low_contrast")].message, /faint/);

  const es = g.fingerQuality(fixture(BAD_FINGER), { lang: "es-AR" });
  assert.deepEqual(es.feedback.map((f) => f.code), codes);
  assert.notEqual(es.feedback[0].message, bad.feedback[0].message);
  assert.equal(es.score, bad.score);
});

test("ImageData-like RGBA, gray pixels and the encoded file give the same fingerprint quality", () => {
  const bytes = fixture(GOOD_FINGER);
  const rgba = g.decodeImage(bytes);
  const gray = g.decodeImage(bytes, { gray: true });
  assert.equal(rgba.channels, 4);
  assert.equal(gray.channels, 1);
  assert.equal(rgba.data.length, rgba.width * rgba.height * 4);
  assert.deepEqual([gray.width, gray.height], [288, 384]);
  const fromFile = g.fingerQuality(bytes).score;
  // A browser's ImageData holds a Uint8ClampedArray.
  const clamped = { data: new Uint8ClampedArray(rgba.data), width: rgba.width, height: rgba.height };
  assert.equal(g.fingerQuality(clamped).score, fromFile);
  assert.equal(g.fingerQuality(gray).score, fromFile);
});

test("fingerprint and face quality equal the native core's (galton quality --json)", () => {
  const bin = galtonBin();
  const native = (args) =>
    execFileSync(bin, ["quality", "--json", ...args], { cwd: root, encoding: "utf8" })
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
  // Exit code 2 when one image fails: run the good and the bad images separately.
  const check = (wasm, nat) => {
    assert.equal(wasm.pass, nat.pass);
    assert.ok(Math.abs(wasm.score - nat.score) < 1e-3, `${wasm.score} vs ${nat.score}`);
    assert.deepEqual(
      wasm.measures.map((m) => m.id),
      nat.measures.map((m) => m.id),
    );
  };
  check(g.fingerQuality(fixture(GOOD_FINGER)), native([`fixtures/${GOOD_FINGER}`])[0]);
  const eyes = `${EYES.left.join(",")},${EYES.right.join(",")}`;
  check(
    g.faceQuality(fixture(GOOD_FACE), { eyes: { left: EYES.left, right: EYES.right } }),
    native(["--kind", "face", "--eyes", eyes, `fixtures/${GOOD_FACE}`])[0],
  );
});

test("a good face passes with the measured inter-eye distance; a dark one fails too_dark", () => {
  const good = g.faceQuality(fixture(GOOD_FACE), { eyes: { left: EYES.left, right: EYES.right } });
  assert.equal(good.kind, "face");
  assert.equal(good.pass, true);
  assert.equal(good.measures.length, 10);
  assert.equal(good.interEyeSource, "eyes");
  const ied = good.measures.find((m) => m.id === "inter_eye_distance").value;
  assert.ok(Math.abs(ied - Math.hypot(305 - 192.5, 231.2 - 225)) < 0.5, `${ied}`);

  const central = g.faceQuality(fixture(GOOD_FACE));
  assert.equal(central.interEyeSource, "assumed");

  const boxed = g.faceQuality(fixture(GOOD_FACE), { box: FACE_BOX });
  assert.equal(boxed.interEyeSource, "box");
  assert.equal(boxed.pass, true);
  assert.ok(Math.abs(boxed.region.x - FACE_BOX.x) <= 1 && boxed.region.width >= 214, JSON.stringify(boxed.region));

  const dark = g.faceQuality(fixture(BAD_FACE), { lang: "es" });
  assert.equal(dark.pass, false);
  assert.deepEqual(dark.feedback.map((f) => f.code), ["too_dark"]);
  assert.match(dark.feedback[0].message, /^Su rostro se ve muy oscuro/);
});

test("minutiae come with what is needed to draw them, and export to ISO exactly as the CLI", () => {
  const t = g.extractMinutiae(fixture(GOOD_FINGER), { finger: "right-index" });
  assert.deepEqual([t.width, t.height, t.ppi, t.finger], [288, 384, 500, "right-index"]);
  assert.ok(t.minutiae.length >= 20, `${t.minutiae.length} minutiae`);
  for (const m of t.minutiae) {
    assert.ok(m.x >= 0 && m.x < t.width && m.y >= 0 && m.y < t.height, JSON.stringify(m));
    assert.ok(m.direction >= 0 && m.direction < 2 * Math.PI);
    assert.ok(["ending", "bifurcation", "other"].includes(m.kind));
  }
  assert.ok(t.minutiae.some((m) => m.kind === "ending"));
  assert.ok(t.minutiae.some((m) => m.kind === "bifurcation"));
  assert.equal(g.extractMinutiae(fixture(GOOD_FINGER), { finger: 7 }).finger, "left-index");

  const iso = g.encodeTemplate(t, "iso");
  const ansi = g.encodeTemplate(t, "ansi");
  assert.ok(iso instanceof Uint8Array);
  assert.equal(Buffer.from(iso.subarray(0, 4)).toString("latin1"), "FMR\0");
  assert.notDeepEqual(iso, ansi);

  const out = mkdtempSync(join(tmpdir(), "galton-wasm-"));
  execFileSync(galtonBin(), ["extract", "--format", "iso", "-o", out, `fixtures/${GOOD_FINGER}`], {
    cwd: root,
  });
  const nativeIso = readFileSync(join(out, "1_1.iso"));
  const noFinger = g.encodeTemplate(g.extractMinutiae(fixture(GOOD_FINGER)), "iso");
  assert.ok(Buffer.from(noFinger).equals(nativeIso), "the wasm ISO record equals the CLI's byte for byte");

  for (const format of ["iso", "ansi", "galton", "json"]) {
    const back = g.decodeTemplate(g.encodeTemplate(t, format));
    assert.equal(back.minutiae.length, t.minutiae.length, format);
    assert.equal(back.finger, "right-index", format);
  }
});

test("templates match: the same finger scores above the 0.1% FMR threshold, another below", () => {
  const t = (p) => g.extractMinutiae(fixture(p));
  const a = t("synth/1_1.png");
  const genuine = g.matchTemplates(a, t("synth/1_2.png"));
  const impostor = g.matchTemplates(a, t("synth/2_1.png"));
  assert.ok(genuine > 0.0388, `genuine ${genuine}`);
  assert.ok(impostor < 0.0388, `impostor ${impostor}`);
  // An ISO record read back matches its source.
  assert.ok(g.matchTemplates(a, g.decodeTemplate(g.encodeTemplate(a, "iso"))) > 0.2);
});

test("face embeddings compare by cosine, from typed arrays or plain arrays", () => {
  assert.ok(Math.abs(g.faceSimilarity([1, 0, 0], [1, 0, 0]) - 1) < 1e-6);
  assert.ok(Math.abs(g.faceSimilarity(new Float32Array([1, 0]), new Float64Array([0, 2]))) < 1e-6);
  const a = Float32Array.from({ length: 512 }, (_, i) => Math.sin(i));
  const b = Float32Array.from(a, (v, i) => v + 0.1 * Math.cos(3 * i));
  const s = g.faceSimilarity(a, b);
  assert.ok(s > 0.9 && s < 1, `${s}`);
  throwsGalton(() => g.faceSimilarity([1, NaN], [1, 2]), "invalid_embedding", /NaN/);
  throwsGalton(() => g.faceSimilarity([1, 2, 3], [1, 2]), "invalid_embedding", /dimension|length|3.*2/);
  throwsGalton(() => g.faceSimilarity("abc", [1, 2]), "invalid_argument", /Float32Array/);
});

test("bad input throws a GaltonError with a code and a clear message", () => {
  throwsGalton(() => g.fingerQuality(new Uint8Array([1, 2, 3])), "invalid_image", /unrecognised image format/);
  // A PGM header claiming 100000 × 100000 pixels: refused before decoding, for its size.
  throwsGalton(
    () => g.fingerQuality(new TextEncoder().encode("P5\n100000 100000\n255\n")),
    "limit_exceeded",
    /image side of 100000 pixels is over the limit of 8192 \(DecodeLimits::max_side\)/,
  );
  throwsGalton(
    () => g.fingerQuality({ data: new Uint8Array(10), width: 3, height: 3 }),
    "invalid_image",
    /9 \(gray\), 27 \(RGB\) or 36 \(RGBA\) bytes, got 10/,
  );
  throwsGalton(() => g.fingerQuality({ data: new Uint8Array(9), width: 3.5, height: 3 }), "invalid_argument", /whole number/);
  throwsGalton(() => g.fingerQuality({ width: 3, height: 3 }), "invalid_argument", /image.data/);
  throwsGalton(() => g.fingerQuality(42), "invalid_argument", /ImageData/);
  throwsGalton(() => g.fingerQuality(fixture(GOOD_FINGER), { lang: "fr" }), "invalid_argument", /locale "fr"/);
  throwsGalton(() => g.fingerQuality(fixture(GOOD_FINGER), { ppix: 500 }), "invalid_argument", /unknown option "ppix"/);
  throwsGalton(() => g.fingerQuality(fixture(GOOD_FINGER), { ppi: 72 }), "unsupported_resolution", /72 ppi/);
  throwsGalton(
    () => g.faceQuality(fixture(GOOD_FACE), { eyes: { left: [1, 1], right: [9, 9] }, box: { x: 0, y: 0, width: 9, height: 9 } }),
    "invalid_argument",
    /not both/,
  );
  throwsGalton(() => g.faceQuality(fixture(GOOD_FACE), { box: { x: 0, y: 0, w: 9, h: 9 } }), "invalid_argument", /width/);
  const t = g.extractMinutiae(fixture(GOOD_FINGER));
  throwsGalton(() => g.encodeTemplate(t, "pdf"), "invalid_argument", /unknown template format "pdf"/);
  throwsGalton(() => g.encodeTemplate({ minutiae: [] }, "iso"), "invalid_argument", /width/);
  throwsGalton(() => g.extractMinutiae(fixture(GOOD_FINGER), { finger: "right-toe" }), "invalid_argument", /unknown finger/);
  throwsGalton(() => g.decodeTemplate(new Uint8Array([70, 77, 82, 0, 1])), "invalid_template", /template/);
  // A blank frame is a valid image with no fingerprint in it: an answer, not an error.
  const blank = g.fingerQuality({ data: new Uint8Array(640 * 480).fill(255), width: 640, height: 480 });
  assert.equal(blank.pass, false);
  assert.deepEqual(blank.feedback.map((f) => f.code), ["no_finger"]);
  assert.equal(blank.features, null);
});

test("the package declares its TypeScript types", () => {
  const dts = readFileSync(join(root, "target/wasm/web/galton_wasm.d.ts"), "utf8");
  for (const decl of [
    "export function fingerQuality(image: ImageInput, options?: FingerQualityOptions): FingerQuality;",
    "export function faceQuality(image: ImageInput, options?: FaceQualityOptions): FaceQuality;",
    "export function extractMinutiae(image: ImageInput, options?: ExtractOptions): Template;",
    "export function encodeTemplate(template: Template, format: TemplateFormat): Uint8Array;",
    "export interface FingerQuality {",
    "export interface Minutia {",
  ]) {
    assert.ok(dts.includes(decl), `missing in galton_wasm.d.ts: ${decl}`);
  }
  const pkg = JSON.parse(readFileSync(join(root, "target/wasm/web/package.json"), "utf8"));
  assert.equal(pkg.types, "galton_wasm.d.ts");
  assert.equal(pkg.type, "module");
  assert.equal(g.version(), pkg.version);
});

test("the README's Node.js example runs as written", () => {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const blocks = [...readme.matchAll(/```js\n(\/\/ Node\.js\n[\s\S]*?)```/g)].map((m) => m[1]);
  assert.ok(blocks.length >= 1, "the README has a Node.js example");
  for (const code of blocks) {
    const out = execFileSync(process.execPath, ["-e", code], { cwd: root, encoding: "utf8" });
    assert.match(out, /^false 40 \[ 'low_contrast'/m, out);
    assert.match(out, /GaltonError invalid_image a 3×3 image has 9 pixels/, out);
  }
});

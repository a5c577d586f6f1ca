//! The measured figures (one JSON object) and their markdown table; progress on stderr.

use std::time::Instant;

use serde_json::{Map, Value};

/// Progress on stderr, stamped with the time since the start.
pub struct Log(pub Instant);

impl Log {
    pub fn say(&self, what: impl AsRef<str>) {
        eprintln!(
            "[{:7.1} s] {}",
            self.0.elapsed().as_secs_f64(),
            what.as_ref()
        );
    }
}

/// The measured figures, by key.
#[derive(Default)]
pub struct Report(Map<String, Value>);

impl Report {
    pub fn set(&mut self, key: &str, value: impl Into<Value>) {
        self.0.insert(key.to_string(), value.into());
    }
    pub fn f(&self, key: &str) -> Option<f64> {
        self.0.get(key).and_then(Value::as_f64)
    }
    pub fn has(&self, key: &str) -> bool {
        self.0.contains_key(key)
    }
    pub fn to_json(&self) -> Value {
        Value::Object(self.0.clone())
    }

    // Cells of the table: "–" where a figure is missing.
    fn num(&self, k: &str, digits: usize) -> String {
        self.f(k).map_or("–".into(), |v| format!("{v:.digits$}"))
    }
    fn int(&self, k: &str) -> String {
        self.num(k, 0)
    }
    fn gb(&self, k: &str) -> String {
        self.f(k).map_or("–".into(), |v| format!("{:.2}", v / 1e9))
    }
    fn ratio(&self, a: &str, b: &str) -> String {
        match (self.f(a), self.f(b)) {
            (Some(x), Some(y)) if y > 0.0 => format!("{:.2}×", x / y),
            _ => "–".into(),
        }
    }
    fn text(&self, k: &str) -> String {
        self.0
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or("–")
            .to_string()
    }
    /// A sweep's setting, "none" where no setting reached the target.
    fn setting(&self, k: &str) -> String {
        match self.0.get(k) {
            Some(Value::Number(v)) => v.to_string(),
            _ => "none".into(),
        }
    }
}

/// Where a sweep over an approximate index's search setting stands in the report:
/// `{prefix}_sweep` (rows keyed by `row`, with `batch_qps`, `single_qps`, `recall_at_10` and
/// optionally `mate_at_1`) and `{prefix}_{at}_at_95`, `{prefix}_qps_at_95` (likewise 99).
pub struct SweepKeys {
    pub prefix: &'static str,
    pub row: &'static str,
    pub at: &'static str,
    /// The setting's name in the table.
    pub label: &'static str,
}

/// The markdown being written, a line at a time.
#[derive(Default)]
struct Lines(String);

impl Lines {
    fn line(&mut self, l: impl AsRef<str>) {
        self.0.push_str(l.as_ref());
        self.0.push('\n');
    }
}

/// The report as markdown: the sections that ran, in the order of the run.
pub fn table(r: &Report) -> String {
    let mut out = Lines::default();
    out.line(format!(
        "# face-search: n = {}, dim = {}, kernel {}, {} threads\n",
        r.int("n"),
        r.int("dim"),
        r.text("kernel"),
        r.int("threads")
    ));
    out.line(format!(
        "Memory read bandwidth (sum over {} GB, all threads): best {} GB/s, median {} GB/s.\n",
        r.gb("bandwidth_buffer_bytes"),
        r.num("bandwidth_gbs", 1),
        r.num("bandwidth_median_gbs", 1)
    ));
    if r.has("f32_build_seconds") {
        exact(r, &mut out);
    }
    if r.has("faiss_flat_batch_qps") {
        faiss(r, &mut out);
    } else if r.has("faiss_error") {
        out.line(format!("faiss: {}\n", r.text("faiss_error")));
    }
    if r.has("allpairs_n") {
        join(r, &mut out);
    }
    let ivf = &crate::ann::IVF;
    let heading = format!(
        "## IVF over {} ({} lists, {}, f32 re-rank): build {} s, {} GB\n",
        r.int("ivf_n"),
        r.int("ivf_lists"),
        r.text("ivf_encoding"),
        r.num("ivf_build_seconds", 1),
        r.gb("ivf_memory_bytes")
    );
    sweep(r, ivf, &heading, &mut out);
    let ours = &crate::ann::HNSW;
    let heading = format!(
        "## galton HnswIndex over {} (M {}, efConstruction {}): build {} s, {} GB\n",
        r.int("hnsw_n"),
        crate::ann::HNSW_M,
        r.int("hnsw_ef_construction"),
        r.num("hnsw_build_seconds", 1),
        r.gb("hnsw_memory_bytes")
    );
    sweep(r, ours, &heading, &mut out);
    let hnsw = &crate::faiss::HNSW;
    let heading = format!(
        "## faiss IndexHNSWFlat over {} (M 32, efConstruction {}): build {} s, {} GB\n",
        r.int("faiss_hnsw_n"),
        r.int("faiss_hnsw_ef_construction"),
        r.num("faiss_hnsw_build_seconds", 1),
        r.gb("faiss_hnsw_memory_bytes")
    );
    sweep(r, hnsw, &heading, &mut out);
    out.line(format!(
        "Peak resident memory {} GB; whole run {} s.",
        r.gb("peak_rss_bytes"),
        r.int("total_seconds")
    ));
    out.0
}

/// The exact indexes: one row per encoding.
fn exact(r: &Report, out: &mut Lines) {
    out.line(format!(
        "## Exact search over {} × {} (single: median of {} queries; batch: {} queries, top-{})\n",
        r.int("n"),
        r.int("dim"),
        r.int("single_queries"),
        r.int("queries"),
        r.int("k")
    ));
    out.line("| index | memory GB | single ms | single qps | GB/s scanned | % of bandwidth | × f32 | recall@10 | batch queries | batch s | batch qps | batch × f32 | batch recall@10 | mate@1 |");
    out.line("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for (key, name) in [
        ("f32", "f32"),
        ("f16", "f16 (+ f32 re-rank)"),
        ("i8", "int8 per vector (+ re-rank)"),
        ("i8dim", "int8 per dimension (+ re-rank)"),
    ] {
        let f = |suffix: &str| format!("{key}_{suffix}");
        let share = match (r.f(&f("single_gbs")), r.f("bandwidth_gbs")) {
            (Some(a), Some(b)) => format!("{:.0}%", 100.0 * a / b),
            _ => "–".into(),
        };
        let recall = |k: &str| {
            if key == "f32" {
                "exact".into()
            } else {
                r.num(&f(k), 4)
            }
        };
        out.line(format!(
            "| {name} | {} | {} | {} | {} | {share} | {} | {} | {} | {} | {} | {} | {} | {} |",
            r.gb(&f("memory_bytes")),
            r.f(&f("single_seconds"))
                .map_or("–".into(), |v| format!("{:.2}", v * 1e3)),
            r.num(&f("single_qps"), 1),
            r.num(&f("single_gbs"), 1),
            r.ratio(&f("single_qps"), "f32_single_qps"),
            recall("recall_at_10"),
            r.int(&f("batch_queries")),
            r.num(&f("batch_seconds"), 2),
            r.int(&f("batch_qps")),
            r.ratio(&f("batch_qps"), "f32_batch_qps"),
            recall("batch_recall_at_10"),
            r.num(&f("batch_mate_at_1"), 4),
        ));
    }
    out.line("");
}

/// galton's figures against faiss's: (label, galton's key, faiss's key).
const AGAINST_FAISS: [(&str, &str, &str); 13] = [
    (
        "exact single query, qps (f32 vs IndexFlatIP)",
        "f32_single_qps",
        "faiss_flat_single_qps",
    ),
    (
        "exact single query, qps (int8 vs IndexFlatIP)",
        "i8_single_qps",
        "faiss_flat_single_qps",
    ),
    (
        "exact batch, qps (f32 vs IndexFlatIP)",
        "f32_batch_qps",
        "faiss_flat_batch_qps",
    ),
    (
        "exact batch, qps (f32 vs numpy blocks + argpartition)",
        "f32_batch_qps",
        "faiss_numpy_batch_qps",
    ),
    (
        "exact batch, qps (int8 vs IndexFlatIP)",
        "i8_batch_qps",
        "faiss_flat_batch_qps",
    ),
    (
        "ANN batch qps at recall@10 ≥ 0.95 (IVF vs HNSW)",
        "ivf_qps_at_95",
        "faiss_hnsw_qps_at_95",
    ),
    (
        "ANN batch qps at recall@10 ≥ 0.99 (IVF vs HNSW)",
        "ivf_qps_at_99",
        "faiss_hnsw_qps_at_99",
    ),
    (
        "ANN batch qps at recall@10 ≥ 0.95 (galton HNSW vs faiss HNSW)",
        "hnsw_qps_at_95",
        "faiss_hnsw_qps_at_95",
    ),
    (
        "ANN batch qps at recall@10 ≥ 0.99 (galton HNSW vs faiss HNSW)",
        "hnsw_qps_at_99",
        "faiss_hnsw_qps_at_99",
    ),
    (
        "ANN build seconds (galton HNSW vs faiss HNSW)",
        "hnsw_build_seconds",
        "faiss_hnsw_build_seconds",
    ),
    (
        "ANN single qps at recall@10 ≥ 0.95 (IVF vs HNSW)",
        "ivf_single_qps_at_95",
        "faiss_hnsw_single_qps_at_95",
    ),
    (
        "ANN build seconds (IVF vs HNSW)",
        "ivf_build_seconds",
        "faiss_hnsw_build_seconds",
    ),
    (
        "ANN memory GB (IVF vs HNSW)",
        "ivf_memory_bytes",
        "faiss_hnsw_memory_bytes",
    ),
];

/// galton against faiss / numpy.
fn faiss(r: &Report, out: &mut Lines) {
    out.line("## galton against faiss / numpy on the same data\n");
    out.line("| measure | galton | faiss / numpy | galton ÷ faiss |");
    out.line("|---|---|---|---|");
    let cell = |k: &str| {
        if k.ends_with("bytes") {
            r.f(k).map_or("–".into(), |v| format!("{:.3}", v / 1e9))
        } else {
            r.num(k, 1)
        }
    };
    for (label, ours, theirs) in AGAINST_FAISS {
        out.line(format!(
            "| {label} | {} | {} | {} |",
            cell(ours),
            cell(theirs),
            r.ratio(ours, theirs)
        ));
    }
    out.line(format!(
        "\nfaiss {} (threads {}); IndexFlatIP top-{} agrees with galton's exact f32 top-{} on {} of ids; HNSW over {} rows (M 32, efConstruction {}).\n",
        r.text("faiss_version"),
        r.int("faiss_threads"),
        r.int("k"),
        r.int("k"),
        r.num("faiss_flat_agreement_at_10", 4),
        r.int("faiss_hnsw_n"),
        r.int("faiss_hnsw_ef_construction"),
    ));
}

/// The all-pairs join.
fn join(r: &Report, out: &mut Lines) {
    out.line(format!(
        "## All-pairs join at cosine ≥ {} over {} embeddings\n",
        r.num("allpairs_threshold", 2),
        r.int("allpairs_n")
    ));
    out.line("| seconds | pairs/s | planted found | planted total | unplanted pairs ≥ threshold |");
    out.line("|---|---|---|---|---|");
    out.line(format!(
        "| {} | {} | {} | {} | {} |\n",
        r.num("allpairs_seconds", 2),
        r.f("allpairs_pairs_per_second")
            .map_or("–".into(), |v| format!("{v:.3e}")),
        r.int("allpairs_planted_found"),
        r.int("allpairs_planted_total"),
        r.int("allpairs_unplanted_pairs")
    ));
}

/// One approximate index's sweep, under `heading`, if it ran: a row per setting (with mate@1
/// where the rows have it), then the fastest settings reaching recall@10 0.95 and 0.99.
fn sweep(r: &Report, keys: &SweepKeys, heading: &str, out: &mut Lines) {
    let Some(Value::Array(rows)) = r.0.get(&format!("{}_sweep", keys.prefix)) else {
        return;
    };
    let mate = rows
        .first()
        .is_some_and(|row| row.get("mate_at_1").is_some());
    out.line(heading);
    let label = keys.label;
    if mate {
        out.line(format!(
            "| {label} | batch qps | single qps | recall@10 | mate@1 |"
        ));
        out.line("|---|---|---|---|---|");
    } else {
        out.line(format!("| {label} | batch qps | single qps | recall@10 |"));
        out.line("|---|---|---|---|");
    }
    for row in rows {
        let g = |k: &str| row[k].as_f64().unwrap_or(f64::NAN);
        let mut l = format!(
            "| {} | {:.0} | {:.0} | {:.4} |",
            row[keys.row],
            g("batch_qps"),
            g("single_qps"),
            g("recall_at_10")
        );
        if mate {
            l += &format!(" {:.4} |", g("mate_at_1"));
        }
        out.line(l);
    }
    let p = keys.prefix;
    let at = |target: &str| {
        format!(
            "{label} {} ({} qps)",
            r.setting(&format!("{p}_{}_at_{target}", keys.at)),
            r.int(&format!("{p}_qps_at_{target}"))
        )
    };
    out.line(format!(
        "\nFastest reaching recall@10 ≥ 0.95: {}; ≥ 0.99: {}.\n",
        at("95"),
        at("99")
    ));
}

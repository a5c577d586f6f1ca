//! Section `faiss`: faiss and numpy on the same gallery and queries, through
//! `benches/face_search_faiss.py` run by the given Python; its figures are merged as
//! `faiss_*`, with the `ratio_*` of galton's figures to theirs.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use galton::face::{EmbeddingBatch, Hit};
use serde_json::{Map, Value};

use crate::data::recall;
use crate::report::{Log, Report, SweepKeys};
use crate::{K, SINGLE};

/// The report keys of the script's HNSW sweep.
pub const HNSW: SweepKeys = SweepKeys {
    prefix: "faiss_hnsw",
    row: "ef_search",
    at: "ef",
    label: "efSearch",
};

/// Writes `values` as raw little-endian f32.
fn write_f32(path: &Path, values: &[f32]) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::with_capacity(1 << 22, std::fs::File::create(path)?);
    let mut bytes = Vec::with_capacity(1 << 22);
    for chunk in values.chunks(1 << 20) {
        bytes.clear();
        bytes.extend(chunk.iter().flat_map(|v| v.to_le_bytes()));
        out.write_all(&bytes)?;
    }
    out.flush()
}

/// Reads raw little-endian i64.
fn read_i64(path: &Path) -> std::io::Result<Vec<i64>> {
    Ok(std::fs::read(path)?
        .chunks_exact(8)
        .map(|b| i64::from_le_bytes(b.try_into().unwrap()))
        .collect())
}

/// Inputs of the faiss run.
pub struct FaissRun<'a> {
    pub python: &'a str,
    pub gallery: &'a EmbeddingBatch,
    pub queries: &'a EmbeddingBatch,
    /// The ANN queries when they differ from `queries` (a smaller ANN gallery).
    pub ann_queries: Option<&'a EmbeddingBatch>,
    pub ann_n: usize,
    /// galton's exact top-10 of `queries`, to check faiss's flat result against.
    pub exact: &'a [Vec<Hit>],
}

/// Runs `benches/face_search_faiss.py` on the same data and merges its figures as `faiss_*`.
fn bench_faiss(run: &FaissRun<'_>, report: &mut Report, log: &Log) -> Result<(), String> {
    let dir = std::env::temp_dir().join(format!("galton-face-search-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let result = (|| {
        let g = dir.join("gallery.f32");
        let q = dir.join("queries.f32");
        let ids = dir.join("flat_ids.i64");
        let t = Instant::now();
        write_f32(&g, run.gallery.as_slice()).map_err(|e| e.to_string())?;
        write_f32(&q, run.queries.as_slice()).map_err(|e| e.to_string())?;
        let mut command = Command::new(run.python);
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("face_search_faiss.py");
        command
            .arg(&script)
            .args(["--gallery".as_ref(), g.as_os_str()])
            .args(["--queries".as_ref(), q.as_os_str()])
            .args(["--n", &run.gallery.len().to_string()])
            .args(["--dim", &run.gallery.dim().to_string()])
            .args(["--nq", &run.queries.len().to_string()])
            .args(["--k", &K.to_string()])
            .args(["--single", &SINGLE.to_string()])
            .args(["--ann-n", &run.ann_n.to_string()])
            .args(["--hnsw-n", &run.ann_n.to_string()])
            .args([
                "--ef-construction",
                &crate::ann::HNSW_EF_CONSTRUCTION.to_string(),
            ])
            .args(["--flat-ids-out".as_ref(), ids.as_os_str()])
            .arg("--json");
        if let Some(aq) = run.ann_queries {
            let path = dir.join("ann_queries.f32");
            write_f32(&path, aq.as_slice()).map_err(|e| e.to_string())?;
            command.args(["--ann-queries".as_ref(), path.as_os_str()]);
        }
        log.say(format!(
            "faiss: data written in {:.1} s to {}; running {}",
            t.elapsed().as_secs_f64(),
            dir.display(),
            script.display()
        ));
        let output = command
            .stderr(Stdio::inherit())
            .output()
            .map_err(|e| format!("cannot run {}: {e}", run.python))?;
        if !output.status.success() {
            return Err(format!("faiss script failed: {}", output.status));
        }
        let stdout = String::from_utf8_lossy(&output.stdout);
        let last = stdout
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .ok_or("faiss script printed nothing")?;
        let figures: Map<String, Value> =
            serde_json::from_str(last).map_err(|e| format!("faiss JSON: {e}: {last}"))?;
        for (k, v) in figures {
            report.set(&format!("faiss_{k}"), v);
        }
        // Does faiss's exact result agree with galton's?
        let flat = read_i64(&ids).map_err(|e| e.to_string())?;
        let found: Vec<Vec<Hit>> = flat
            .chunks_exact(K)
            .map(|c| {
                c.iter()
                    .map(|&id| Hit {
                        id: id as u64,
                        score: 0.0,
                    })
                    .collect()
            })
            .collect();
        report.set("faiss_flat_agreement_at_10", recall(&found, run.exact));
        Ok(())
    })();
    let _ = std::fs::remove_dir_all(&dir);
    result
}

/// Ratios of galton's figures to faiss's, as `ratio_{name}`, where both are present.
const RATIOS: [(&str, &str, &str); 9] = [
    (
        "f32_single_qps",
        "faiss_flat_single_qps",
        "vs_faiss_flat_single",
    ),
    (
        "f32_batch_qps",
        "faiss_flat_batch_qps",
        "vs_faiss_flat_batch",
    ),
    ("f32_batch_qps", "faiss_numpy_batch_qps", "vs_numpy_batch"),
    (
        "i8_single_qps",
        "faiss_flat_single_qps",
        "i8_vs_faiss_flat_single",
    ),
    (
        "i8_batch_qps",
        "faiss_flat_batch_qps",
        "i8_vs_faiss_flat_batch",
    ),
    ("ivf_qps_at_95", "faiss_hnsw_qps_at_95", "ivf_vs_hnsw_at_95"),
    ("ivf_qps_at_99", "faiss_hnsw_qps_at_99", "ivf_vs_hnsw_at_99"),
    (
        "hnsw_qps_at_95",
        "faiss_hnsw_qps_at_95",
        "hnsw_vs_faiss_hnsw_at_95",
    ),
    (
        "hnsw_qps_at_99",
        "faiss_hnsw_qps_at_99",
        "hnsw_vs_faiss_hnsw_at_99",
    ),
];

/// Section `faiss`: runs the script, reports its figures and the ratios, or `faiss_error`.
pub fn bench(run: &FaissRun<'_>, report: &mut Report, log: &Log) {
    if let Err(e) = bench_faiss(run, report, log) {
        log.say(format!("faiss: {e}"));
        report.set("faiss_error", e);
        return;
    }
    for (ours, theirs, name) in RATIOS {
        if let (Some(a), Some(b)) = (report.f(ours), report.f(theirs)) {
            report.set(&format!("ratio_{name}"), a / b);
        }
    }
}

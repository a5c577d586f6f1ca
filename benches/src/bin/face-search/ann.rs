//! Section `ann`: approximate indexes, each swept over its search setting (IVF: `nprobe`)
//! with speed against recall@10, through one shared [`sweep`].

use galton::face::{EmbeddingBatch, Hit, HnswConfig, HnswIndex, IvfConfig, IvfIndex};
use serde_json::{Map, Value};

use crate::data::{self, mate_at_1, recall, Queries};
use crate::measure::{time_single, timed};
use crate::report::{Log, Report, SweepKeys};
use crate::K;

/// IVF probes tried.
const NPROBES: [usize; 11] = [8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192];
/// A sweep stops once recall@10 reaches this (higher settings only cost time).
const ENOUGH: f64 = 0.995;
/// The recall targets at which the fastest setting is reported, and their key suffixes.
const TARGETS: [(f64, &str); 2] = [(0.95, "95"), (0.99, "99")];

/// HNSW search widths tried.
const EFS: [usize; 9] = [16, 32, 64, 128, 256, 512, 1024, 2048, 4096];

/// Graph degree and build width of galton's HNSW, passed to faiss's too so both graphs are
/// built alike.
pub const HNSW_M: usize = 32;
/// See [`HNSW_M`].
pub const HNSW_EF_CONSTRUCTION: usize = 64;

/// The report keys of galton's HNSW sweep.
pub const HNSW: SweepKeys = SweepKeys {
    prefix: "hnsw",
    row: "ef_search",
    at: "ef",
    label: "efSearch",
};

/// The report keys of the IVF sweep.
pub const IVF: SweepKeys = SweepKeys {
    prefix: "ivf",
    row: "nprobe",
    at: "nprobe",
    label: "nprobe",
};

/// What the approximate indexes are measured on.
pub struct AnnData<'a> {
    pub gallery: &'a EmbeddingBatch,
    pub queries: &'a Queries,
    /// The exact top-[`K`] of `queries` over `gallery`.
    pub truth: &'a [Vec<Hit>],
}

/// Section `ann` over the first `ann_n` rows of `gallery`. With fewer rows than `gallery`,
/// the queries are `ann_queries` and their truth is computed here; otherwise they are
/// `queries`, whose exact top-[`K`] is `exact`.
pub fn bench_ann(
    gallery: &EmbeddingBatch,
    ann_n: usize,
    queries: &Queries,
    ann_queries: Option<&Queries>,
    exact: Option<&[Vec<Hit>]>,
    report: &mut Report,
    log: &Log,
) {
    let (sub, truth);
    let data = match ann_queries.filter(|_| ann_n < gallery.len()) {
        Some(queries) => {
            sub = data::head(gallery, ann_n);
            truth = data::exact_top_k(&sub, &queries.batch);
            log.say(format!(
                "ann: exact top-{K} over the first {ann_n} computed"
            ));
            AnnData {
                gallery: &sub,
                queries,
                truth: &truth,
            }
        }
        None => AnnData {
            gallery,
            queries,
            truth: exact.expect("the exact top-k of the queries over the whole gallery"),
        },
    };
    bench_ivf(&data, report, log);
    bench_hnsw(&data, report, log);
}

/// galton's HNSW graph with [`HNSW_M`] and [`HNSW_EF_CONSTRUCTION`].
fn bench_hnsw(data: &AnnData<'_>, report: &mut Report, log: &Log) {
    let ids: Vec<u64> = (0..data.gallery.len() as u64).collect();
    let config = HnswConfig {
        m: HNSW_M,
        ef_construction: HNSW_EF_CONSTRUCTION,
        seed: 1,
    };
    log.say(format!(
        "hnsw: building over {} ({config:?})",
        data.gallery.len()
    ));
    let (hnsw, build) =
        timed(|| HnswIndex::build(&ids, data.gallery, &config).expect("valid gallery"));
    log.say(format!(
        "hnsw: built in {build:.1} s, {:.2} GB",
        hnsw.memory_bytes() as f64 / 1e9
    ));
    built(&HNSW, data, build, hnsw.memory_bytes(), report);
    report.set("hnsw_ef_construction", HNSW_EF_CONSTRUCTION);
    sweep(
        &HNSW,
        EFS,
        data,
        |q, ef| hnsw.search_batch(q, K, ef).expect("valid queries"),
        |q, ef| hnsw.search(q, K, ef).expect("valid query"),
        report,
        log,
    );
}

/// The IVF index with its default configuration.
fn bench_ivf(data: &AnnData<'_>, report: &mut Report, log: &Log) {
    let ids: Vec<u64> = (0..data.gallery.len() as u64).collect();
    let config = IvfConfig::default();
    log.say(format!(
        "ivf: building over {} ({:?}, lists 0 = 4·√n)",
        data.gallery.len(),
        config
    ));
    let (ivf, build) =
        timed(|| IvfIndex::build(&ids, data.gallery, &config).expect("valid gallery"));
    log.say(format!(
        "ivf: built in {build:.1} s, {} lists, {:.2} GB",
        ivf.lists(),
        ivf.memory_bytes() as f64 / 1e9
    ));
    built(&IVF, data, build, ivf.memory_bytes(), report);
    report.set("ivf_lists", ivf.lists());
    report.set("ivf_encoding", config.encoding.name());
    let nprobes = NPROBES.into_iter().filter(|&p| p <= ivf.lists());
    sweep(
        &IVF,
        nprobes,
        data,
        |q, nprobe| ivf.search_batch(q, K, nprobe).expect("valid queries"),
        |q, nprobe| ivf.search(q, K, nprobe).expect("valid query"),
        report,
        log,
    );
}

/// Reports an approximate index's size, build seconds and memory.
fn built(keys: &SweepKeys, data: &AnnData<'_>, seconds: f64, memory: usize, report: &mut Report) {
    let p = keys.prefix;
    report.set(&format!("{p}_n"), data.gallery.len());
    report.set(&format!("{p}_build_seconds"), seconds);
    report.set(&format!("{p}_memory_bytes"), memory);
}

/// Measures an approximate index at each of `settings` in turn, until recall@10 reaches
/// [`ENOUGH`]: `batch(queries, setting)` on the whole batch and `single(query, setting)` on
/// single queries. Reports the rows as `{prefix}_sweep` and, per target of [`TARGETS`], the
/// fastest setting reaching it (`{prefix}_{at}_at_95`, `{prefix}_qps_at_95`,
/// `{prefix}_single_qps_at_95`; null when none does).
#[allow(clippy::too_many_arguments)]
pub fn sweep(
    keys: &SweepKeys,
    settings: impl IntoIterator<Item = usize>,
    data: &AnnData<'_>,
    batch: impl Fn(&EmbeddingBatch, usize) -> Vec<Vec<Hit>>,
    single: impl Fn(&[f32], usize) -> Vec<Hit>,
    report: &mut Report,
    log: &Log,
) {
    let queries = &data.queries.batch;
    let mut rows = Vec::new();
    for setting in settings {
        let (found, s) = timed(|| batch(queries, setting));
        let r = recall(&found, data.truth);
        let mate = mate_at_1(&found, &data.queries.persons);
        let (single_s, _) = time_single(queries, |q| single(q, setting));
        let qps = queries.len() as f64 / s;
        log.say(format!(
            "{} {} {setting}: batch {qps:.0} qps, single {:.0} qps, recall@10 {r:.4}, \
             mate@1 {mate:.4}",
            keys.prefix,
            keys.row,
            1.0 / single_s
        ));
        let mut row = Map::new();
        row.insert(keys.row.into(), setting.into());
        row.insert("batch_qps".into(), qps.into());
        row.insert("single_qps".into(), (1.0 / single_s).into());
        row.insert("recall_at_10".into(), r.into());
        row.insert("mate_at_1".into(), mate.into());
        rows.push(row);
        if r >= ENOUGH {
            break;
        }
    }
    let f = |row: &Map<String, Value>, k: &str| row[k].as_f64().unwrap();
    let p = keys.prefix;
    for (target, suffix) in TARGETS {
        let best = rows
            .iter()
            .filter(|row| f(row, "recall_at_10") >= target)
            .max_by(|a, b| f(a, "batch_qps").total_cmp(&f(b, "batch_qps")));
        let get = |k: &str| best.map_or(Value::Null, |row| row[k].clone());
        report.set(&format!("{p}_{}_at_{suffix}", keys.at), get(keys.row));
        report.set(&format!("{p}_qps_at_{suffix}"), get("batch_qps"));
        report.set(&format!("{p}_single_qps_at_{suffix}"), get("single_qps"));
    }
    let rows = rows.into_iter().map(Value::Object).collect();
    report.set(&format!("{p}_sweep"), Value::Array(rows));
}

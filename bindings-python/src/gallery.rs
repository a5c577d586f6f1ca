//! The gallery: subjects with fingers and a face, persisted in SQLite.

use std::collections::BTreeMap;
use std::sync::Mutex;

use galton::face::FaceEmbedding;
use galton::gallery::{
    Comparison, DuplicatePolicy, EnrollOutcome, Gallery, GalleryConfig, Modality, Probe, Subject,
};
use galton::{FingerPosition, Template};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::convert::{self, make, type_name};
use crate::errors::{check, detach, invalid, wrong_type};
use crate::face::rows;
use crate::template::{finger_position, PyTemplate};

fn modality_name(m: Modality) -> String {
    m.to_string()
}

fn modalities<'py>(py: Python<'py>, c: &Comparison) -> PyResult<Vec<Bound<'py, PyAny>>> {
    c.modalities
        .iter()
        .map(|m| {
            make(
                py,
                "ModalityScore",
                (modality_name(m.modality), m.score, m.evidence),
            )
        })
        .collect()
}

fn hit<'py>(py: Python<'py>, h: &galton::gallery::Hit) -> PyResult<Bound<'py, PyAny>> {
    let c = &h.comparison;
    make(
        py,
        "Hit",
        (
            h.id.as_str(),
            h.is_match,
            c.evidence,
            c.fmr(),
            modalities(py, c)?,
        ),
    )
}

fn verification<'py>(
    py: Python<'py>,
    id: &str,
    c: &Comparison,
    is_match: bool,
) -> PyResult<Bound<'py, PyAny>> {
    make(
        py,
        "Verification",
        (id, is_match, c.evidence, c.fmr(), modalities(py, c)?),
    )
}

fn template_of(obj: &Bound<'_, PyAny>) -> PyResult<Template> {
    obj.cast::<PyTemplate>()
        .map(|t| (*t.get().inner).clone())
        .map_err(|_| wrong_type(format!("expected a Template, got {}", type_name(obj))))
}

/// Fingers: a Template (its `finger` names the position), a list of them, or a dict
/// `{position: Template or [Template, ...]}`.
fn fingers(obj: &Bound<'_, PyAny>) -> PyResult<Vec<(FingerPosition, Template)>> {
    let py = obj.py();
    let positioned = |t: Template| -> PyResult<(FingerPosition, Template)> {
        match t.finger {
            Some(p) if p != FingerPosition::Unknown => Ok((p, t)),
            _ => Err(invalid(
                py,
                "a template without finger position: pass a dict {\"right-index\": template, ...}",
            )),
        }
    };
    if let Ok(d) = obj.cast::<PyDict>() {
        let mut out = Vec::new();
        for (k, v) in d.iter() {
            let pos = finger_position(&k)?;
            if let Ok(list) = v.cast::<PyList>() {
                for t in list.iter() {
                    out.push((pos, template_of(&t)?));
                }
            } else {
                out.push((pos, template_of(&v)?));
            }
        }
        return Ok(out);
    }
    if obj.cast::<PyTemplate>().is_ok() {
        return Ok(vec![positioned(template_of(obj)?)?]);
    }
    if let Ok(list) = obj.cast::<PyList>() {
        return list.iter().map(|t| positioned(template_of(&t)?)).collect();
    }
    Err(wrong_type(format!(
        "fingers are a Template, a list of Templates or a dict {{position: Template}}, got {}",
        type_name(obj)
    )))
}

fn face(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Option<FaceEmbedding>> {
    let Some(obj) = obj else { return Ok(None) };
    let (r, _) = rows(obj)?;
    check(obj.py(), FaceEmbedding::new(r.data().to_vec())).map(Some)
}

fn probe(fs: Option<&Bound<'_, PyAny>>, fc: Option<&Bound<'_, PyAny>>) -> PyResult<Probe> {
    let mut p = Probe::new();
    if let Some(fs) = fs {
        for (pos, t) in fingers(fs)? {
            p = p.with_finger(pos, t);
        }
    }
    if let Some(f) = face(fc)? {
        p = p.with_face(f);
    }
    Ok(p)
}

fn policy(py: Python<'_>, s: &str) -> PyResult<DuplicatePolicy> {
    match s {
        "reject" => Ok(DuplicatePolicy::Reject),
        "flag" => Ok(DuplicatePolicy::Flag),
        _ => Err(invalid(
            py,
            format!("policy is \"reject\" or \"flag\", got {s:?}"),
        )),
    }
}

/// A gallery of subjects (fingers and a face) for 1:1 verification, 1:N identification
/// and deduplication; in memory (``Gallery()``) or in a SQLite file (``Gallery.open``),
/// where every change is written through.
///
///     >>> g = galton.Gallery.open("people.db")                          # doctest: +SKIP
///     >>> g.enroll("ana", {"right-index": t1, "left-index": t2})        # doctest: +SKIP
///     EnrollResult(outcome='enrolled', stored=True, duplicates=[], comparison=None)
///     >>> g.identify({"right-index": probe})[0].id                      # doctest: +SKIP
///     'ana'
///
/// ``match_fmr`` (default 1e-4) is the false match rate of ``is_match``; ``duplicate_fmr``
/// (default 1e-8) that of duplicate detection; ``min_shortlist`` (default 100) and
/// ``shortlist_fraction`` (default 0.01) size the fingerprint prefilter's candidate lists.
/// Calls release the GIL.
#[pyclass(name = "Gallery", module = "galton", frozen)]
pub(crate) struct PyGallery {
    inner: Mutex<Gallery>,
}

impl PyGallery {
    fn with<T: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&mut Gallery) -> galton::Result<T> + Send,
    ) -> PyResult<T> {
        detach(py, || {
            f(&mut self.inner.lock().unwrap_or_else(|e| e.into_inner()))
        })
    }
}

/// Settings a caller may change (the others keep the core's measured defaults); the core
/// validates them (`with_config`, `open`).
#[derive(Default)]
struct Settings {
    match_fmr: Option<f64>,
    duplicate_fmr: Option<f64>,
    min_shortlist: Option<usize>,
    shortlist_fraction: Option<f64>,
}

impl Settings {
    fn config(self) -> GalleryConfig {
        let mut c = GalleryConfig::default();
        if let Some(v) = self.match_fmr {
            c.match_fmr = v;
        }
        if let Some(v) = self.duplicate_fmr {
            c.duplicate_fmr = v;
        }
        if let Some(v) = self.min_shortlist {
            c.min_shortlist = v;
        }
        if let Some(v) = self.shortlist_fraction {
            c.shortlist_fraction = v;
        }
        c
    }
}

#[pymethods]
impl PyGallery {
    #[new]
    #[pyo3(signature = (*, match_fmr=None, duplicate_fmr=None, min_shortlist=None, shortlist_fraction=None))]
    fn py_new(
        py: Python<'_>,
        match_fmr: Option<f64>,
        duplicate_fmr: Option<f64>,
        min_shortlist: Option<usize>,
        shortlist_fraction: Option<f64>,
    ) -> PyResult<Self> {
        let c = Settings {
            match_fmr,
            duplicate_fmr,
            min_shortlist,
            shortlist_fraction,
        }
        .config();
        let g = check(py, Gallery::with_config(c))?;
        Ok(PyGallery {
            inner: Mutex::new(g),
        })
    }

    /// Opens (or creates) a gallery database. Raises :class:`DatabaseError` for a file that
    /// is not a galton database (or is damaged, locked, of a newer schema). ``key`` (64
    /// hexadecimal digits) keeps the templates and embeddings encrypted; a missing or wrong
    /// key raises :class:`StoreKeyError`. ``operator`` is recorded in the audit trail.
    #[staticmethod]
    #[pyo3(signature = (path, *, match_fmr=None, duplicate_fmr=None, min_shortlist=None, shortlist_fraction=None, key=None, operator=None))]
    #[allow(clippy::too_many_arguments)]
    fn open(
        path: &Bound<'_, PyAny>,
        match_fmr: Option<f64>,
        duplicate_fmr: Option<f64>,
        min_shortlist: Option<usize>,
        shortlist_fraction: Option<f64>,
        key: Option<String>,
        operator: Option<String>,
    ) -> PyResult<Self> {
        let py = path.py();
        let p = convert::path(path)?;
        let c = Settings {
            match_fmr,
            duplicate_fmr,
            min_shortlist,
            shortlist_fraction,
        }
        .config();
        let mut options = galton::gallery::store::StoreOptions::default();
        if let Some(text) = key {
            options = options.with_key(check(
                py,
                galton::gallery::store::StoreKey::from_text(&text),
            )?);
        }
        if let Some(op) = operator {
            options = options.with_operator(op);
        }
        let g = detach(py, move || Gallery::open_with(&p, c, &options))?;
        Ok(PyGallery {
            inner: Mutex::new(g),
        })
    }

    /// Registers a subject: ``fingers`` a Template (with its ``finger`` set), a list of
    /// them, or a dict ``{position: Template or [Template, ...]}``; ``face`` a 1-D float
    /// embedding; ``metadata`` a dict of strings. ``policy="reject"`` refuses a subject that
    /// matches someone under another id, ``"flag"`` stores it marked for review. Returns an
    /// :class:`EnrollResult`.
    #[pyo3(signature = (id, fingers=None, face=None, metadata=None, policy="reject"))]
    fn enroll<'py>(
        &self,
        py: Python<'py>,
        id: String,
        fingers: Option<&Bound<'py, PyAny>>,
        face: Option<&Bound<'py, PyAny>>,
        metadata: Option<BTreeMap<String, String>>,
        policy: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let pol = self::policy(py, policy)?;
        let mut s = Subject::new(id.clone());
        if let Some(fs) = fingers {
            for (pos, t) in self::fingers(fs)? {
                s = s.with_finger(pos, t);
            }
        }
        if let Some(f) = self::face(face)? {
            s = s.with_face(f);
        }
        for (k, v) in metadata.unwrap_or_default() {
            s = s.with_metadata(k, v);
        }
        let (outcome, match_fmr) = self.with(py, |g| {
            let fmr = g.config().match_fmr;
            g.enroll(s, pol).map(|o| (o, fmr))
        })?;
        let stored = outcome.is_stored();
        let none = py.None().into_bound(py);
        let (name, dups, comparison) = match &outcome {
            EnrollOutcome::Enrolled => ("enrolled", vec![], none),
            EnrollOutcome::Flagged { duplicates } => ("flagged", duplicates.clone(), none),
            EnrollOutcome::RejectedDuplicate { duplicates } => {
                ("rejected-duplicate", duplicates.clone(), none)
            }
            EnrollOutcome::IdRegisteredWithDifferentBiometrics { comparison } => (
                "id-registered-with-different-biometrics",
                vec![],
                verification(py, &id, comparison, comparison.is_match(match_fmr))?,
            ),
            EnrollOutcome::AlreadyEnrolled { comparison } => (
                "already-enrolled",
                vec![],
                verification(py, &id, comparison, comparison.is_match(match_fmr))?,
            ),
        };
        let dups = dups
            .iter()
            .map(|h| hit(py, h))
            .collect::<PyResult<Vec<_>>>()?;
        make(py, "EnrollResult", (name, stored, dups, comparison))
    }

    /// 1:1: compares a probe (``fingers`` as in :meth:`enroll`, one template per position,
    /// and/or ``face``) with the subject ``id``. Returns a :class:`Verification`; raises
    /// :class:`NotFoundError` for an unknown id.
    #[pyo3(signature = (id, fingers=None, face=None))]
    fn verify<'py>(
        &self,
        py: Python<'py>,
        id: String,
        fingers: Option<&Bound<'py, PyAny>>,
        face: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let p = probe(fingers, face)?;
        let v = self.with(py, |g| g.verify(&id, &p))?;
        verification(py, &v.id, &v.comparison, v.is_match)
    }

    /// 1:N: the ``k`` best candidates for a probe, best first, as a list of :class:`Hit`.
    #[pyo3(signature = (fingers=None, face=None, k=10, exhaustive=false))]
    fn identify<'py>(
        &self,
        py: Python<'py>,
        fingers: Option<&Bound<'py, PyAny>>,
        face: Option<&Bound<'py, PyAny>>,
        k: usize,
        exhaustive: bool,
    ) -> PyResult<Vec<Bound<'py, PyAny>>> {
        let p = probe(fingers, face)?;
        let hits = self.with(py, |g| {
            if exhaustive {
                g.identify_exhaustive(&p, k)
            } else {
                g.identify(&p, k)
            }
        })?;
        hits.iter().map(|h| hit(py, h)).collect()
    }

    /// Finds the subjects registered twice under different ids: a :class:`DedupReport`.
    fn deduplicate<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let r = self.with(py, |g| g.deduplicate())?;
        let pairs = r
            .pairs
            .iter()
            .map(|p| {
                let c = &p.comparison;
                make(
                    py,
                    "DuplicatePair",
                    (
                        p.a.as_str(),
                        p.b.as_str(),
                        c.evidence,
                        c.fmr(),
                        modalities(py, c)?,
                    ),
                )
            })
            .collect::<PyResult<Vec<_>>>()?;
        let inconsistent = r
            .inconsistent
            .iter()
            .map(|i| {
                make(
                    py,
                    "Inconsistency",
                    (i.id.as_str(), i.finger.name(), i.score),
                )
            })
            .collect::<PyResult<Vec<_>>>()?;
        make(
            py,
            "DedupReport",
            (
                pairs,
                r.clusters.clone(),
                inconsistent,
                r.subjects,
                r.compared,
            ),
        )
    }

    /// Removes subject ``id``; raises :class:`NotFoundError`.
    fn remove(&self, py: Python<'_>, id: String) -> PyResult<()> {
        self.with(py, |g| g.remove(&id).map(|_| ()))
    }

    /// The ids of the subjects.
    fn ids(&self, py: Python<'_>) -> PyResult<Vec<String>> {
        self.with(py, |g| Ok(g.subjects().map(|s| s.id.clone()).collect()))
    }

    /// The metadata of subject ``id``; raises :class:`NotFoundError`.
    fn metadata(&self, py: Python<'_>, id: &str) -> PyResult<BTreeMap<String, String>> {
        self.with(py, |g| match g.get(id) {
            Some(s) => Ok(s.metadata.clone()),
            None => Err(galton::Error::NotFound(format!(
                "no subject with id {id:?}"
            ))),
        })
    }

    /// The templates of subject ``id``, as enrolled: ``{position: [Template, ...]}`` (each
    /// finger's impressions in order); raises :class:`NotFoundError`. With :meth:`face`, what
    /// a worker needs to probe another gallery with a stored subject.
    fn templates<'py>(&self, py: Python<'py>, id: &str) -> PyResult<Bound<'py, PyDict>> {
        let fs = self.with(py, |g| match g.get(id) {
            Some(s) => Ok(s.fingers.clone()),
            None => Err(galton::Error::NotFound(format!(
                "no subject with id {id:?}"
            ))),
        })?;
        let out = PyDict::new(py);
        for (pos, views) in fs {
            let list = views
                .into_iter()
                .map(|t| Bound::new(py, PyTemplate::new(t)))
                .collect::<PyResult<Vec<_>>>()?;
            out.set_item(pos.name(), list)?;
        }
        Ok(out)
    }

    /// The face embedding of subject ``id`` (float32, as stored: L2-normalised), or ``None``;
    /// raises :class:`NotFoundError`.
    fn face<'py>(
        &self,
        py: Python<'py>,
        id: &str,
    ) -> PyResult<Option<Bound<'py, numpy::PyArray1<f32>>>> {
        let f = self.with(py, |g| match g.get(id) {
            Some(s) => Ok(s.face.as_ref().map(|f| f.as_slice().to_vec())),
            None => Err(galton::Error::NotFound(format!(
                "no subject with id {id:?}"
            ))),
        })?;
        Ok(f.map(|v| numpy::PyArray1::from_vec(py, v)))
    }

    /// The false match rate of ``is_match``.
    #[getter]
    fn match_fmr(&self, py: Python<'_>) -> PyResult<f64> {
        self.with(py, |g| Ok(g.config().match_fmr))
    }

    /// The false match rate of duplicate detection (enrollment and :meth:`deduplicate`).
    #[getter]
    fn duplicate_fmr(&self, py: Python<'_>) -> PyResult<f64> {
        self.with(py, |g| Ok(g.config().duplicate_fmr))
    }

    /// Memory held by the search structures and records, in bytes (the core's estimate).
    fn memory_bytes(&self, py: Python<'_>) -> PyResult<usize> {
        self.with(py, |g| Ok(g.memory_bytes()))
    }

    /// The database file, or ``None`` in memory.
    #[getter]
    fn path(&self, py: Python<'_>) -> PyResult<Option<std::path::PathBuf>> {
        self.with(py, |g| Ok(g.path()))
    }

    fn __len__(&self, py: Python<'_>) -> PyResult<usize> {
        self.with(py, |g| Ok(g.len()))
    }

    fn __contains__(&self, py: Python<'_>, id: &str) -> PyResult<bool> {
        self.with(py, |g| Ok(g.contains(id)))
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!("Gallery({} subjects)", self.__len__(py)?))
    }
}

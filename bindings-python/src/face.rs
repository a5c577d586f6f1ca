//! Face embeddings: the exact index over numpy arrays.

use std::sync::RwLock;

use galton::face::{EmbeddingBatch, Encoding, FaceIndex};
use numpy::{
    PyArray1, PyArray2, PyArrayMethods, PyReadonlyArray1, PyReadonlyArray2, PyUntypedArray,
    PyUntypedArrayMethods,
};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::convert::{self, type_name};
use crate::errors::{check, detach, galton_error, wrong_type};

/// Rows of embeddings: a view of a C-contiguous float32 array, or a copy otherwise.
pub(crate) enum Rows<'py> {
    View(PyReadonlyArray2<'py, f32>),
    Owned(Vec<f32>, usize),
}

impl Rows<'_> {
    pub(crate) fn data(&self) -> &[f32] {
        match self {
            Rows::View(a) => a.as_slice().expect("checked contiguous"),
            Rows::Owned(v, _) => v,
        }
    }

    pub(crate) fn dim(&self) -> usize {
        match self {
            Rows::View(a) => a.shape()[1],
            Rows::Owned(_, d) => *d,
        }
    }
}

/// Ids and scores of a search, as numpy arrays.
type IdsScores<'py, A, B> = PyResult<(Bound<'py, A>, Bound<'py, B>)>;

/// The pairs of a join: ids `a`, ids `b`, scores.
type Pairs<'py> = (
    Bound<'py, PyArray1<u64>>,
    Bound<'py, PyArray1<u64>>,
    Bound<'py, PyArray1<f32>>,
);

/// A float32 array of shape (n, d), or (d,) taken as one row (`single` tells).
pub(crate) fn rows<'py>(obj: &Bound<'py, PyAny>) -> PyResult<(Rows<'py>, bool)> {
    let py = obj.py();
    if let Ok(a) = obj.extract::<PyReadonlyArray2<'py, f32>>() {
        // `as_slice` also accepts Fortran order: only C order is viewed in place.
        if a.is_c_contiguous() && a.as_slice().is_ok() {
            return Ok((Rows::View(a), false));
        }
        let d = a.shape()[1];
        return Ok((
            Rows::Owned(a.as_array().iter().copied().collect(), d),
            false,
        ));
    }
    if let Ok(a) = obj.extract::<PyReadonlyArray1<'py, f32>>() {
        let d = a.len();
        return Ok((Rows::Owned(a.as_array().iter().copied().collect(), d), true));
    }
    // Anything else numeric (float64 arrays, lists): converted by numpy, with a copy.
    let np = py.import("numpy")?;
    let converted = np.call_method1("asarray", (obj, "float32")).map_err(|_| {
        wrong_type(format!(
            "embeddings are a float32 array of shape (n, dim), got {}",
            type_name(obj)
        ))
    })?;
    let array = converted.cast::<PyUntypedArray>()?;
    match array.ndim() {
        1 | 2 => rows(&converted),
        n => Err(galton_error(
            py,
            "InvalidEmbeddingError",
            format!("invalid embedding: expected an array of shape (n, dim) or (dim,), got {n} dimensions"),
        )),
    }
}

/// Ids: an int or an array-like of non-negative ints.
fn ids(obj: &Bound<'_, PyAny>) -> PyResult<Vec<u64>> {
    if let Ok(a) = obj.extract::<PyReadonlyArray1<'_, u64>>() {
        return Ok(a.as_array().to_vec());
    }
    if let Ok(id) = obj.extract::<u64>() {
        return Ok(vec![id]);
    }
    let np = obj.py().import("numpy")?;
    if let Ok(a) = np.call_method1("asarray", (obj,)) {
        if let Ok(v) = a
            .call_method0("tolist")
            .and_then(|l| l.extract::<Vec<u64>>())
        {
            return Ok(v);
        }
    }
    Err(wrong_type(format!(
        "ids are a non-negative int or a sequence of them, got {}",
        type_name(obj)
    )))
}

/// An exact index of face embeddings with integer ids (cosine similarity).
///
/// ``encoding`` is ``"f32"`` (exact), ``"f16"``, ``"int8"`` or ``"int8-dim"`` (smaller; the
/// f32 originals are kept for exact re-ranking unless ``keep_originals=False``).
///
///     >>> import numpy as np, galton
///     >>> index = galton.FaceIndex(128)
///     >>> emb = np.random.default_rng(0).standard_normal((1000, 128), dtype=np.float32)
///     >>> index.add(np.arange(1000), emb)
///     >>> ids, scores = index.search(emb[:5], k=3)
///     >>> ids[:, 0].tolist()
///     [0, 1, 2, 3, 4]
///
/// A C-contiguous float32 array is read in place (no copy); other arrays are converted.
/// Searches release the GIL and run on all cores.
#[pyclass(name = "FaceIndex", module = "galton", frozen)]
pub(crate) struct PyFaceIndex {
    inner: RwLock<FaceIndex>,
}

impl PyFaceIndex {
    fn read<T: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&FaceIndex) -> galton::Result<T> + Send,
    ) -> PyResult<T> {
        detach(py, || {
            f(&self.inner.read().unwrap_or_else(|e| e.into_inner()))
        })
    }

    fn write<T: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&mut FaceIndex) -> galton::Result<T> + Send,
    ) -> PyResult<T> {
        detach(py, || {
            f(&mut self.inner.write().unwrap_or_else(|e| e.into_inner()))
        })
    }
}

fn hits_arrays<'py>(
    py: Python<'py>,
    lists: Vec<Vec<galton::face::Hit>>,
    k: usize,
) -> IdsScores<'py, PyArray2<u64>, PyArray2<f32>> {
    let n = lists.len();
    let mut ids = vec![u64::MAX; n * k];
    let mut scores = vec![f32::NAN; n * k];
    for (i, hits) in lists.iter().enumerate() {
        for (j, h) in hits.iter().take(k).enumerate() {
            ids[i * k + j] = h.id;
            scores[i * k + j] = h.score;
        }
    }
    let ids = PyArray1::from_vec(py, ids).reshape([n, k])?;
    let scores = PyArray1::from_vec(py, scores).reshape([n, k])?;
    Ok((ids, scores))
}

#[pymethods]
impl PyFaceIndex {
    #[new]
    #[pyo3(signature = (dim, encoding="f32", keep_originals=true))]
    fn py_new(py: Python<'_>, dim: usize, encoding: &str, keep_originals: bool) -> PyResult<Self> {
        let enc: Encoding = check(py, encoding.parse())?;
        let index = check(
            py,
            FaceIndex::new(dim, enc).and_then(|i| i.with_originals(keep_originals)),
        )?;
        Ok(PyFaceIndex {
            inner: RwLock::new(index),
        })
    }

    /// The dimension of the embeddings.
    #[getter]
    fn dim(&self, py: Python<'_>) -> PyResult<usize> {
        self.read(py, |i| Ok(i.dim()))
    }

    /// The encoding name.
    #[getter]
    fn encoding(&self, py: Python<'_>) -> PyResult<&'static str> {
        self.read(py, |i| Ok(i.encoding().name()))
    }

    /// The ids, in row order, as a uint64 array.
    #[getter]
    fn ids<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray1<u64>>> {
        let ids = self.read(py, |i| Ok(i.ids().to_vec()))?;
        Ok(PyArray1::from_vec(py, ids))
    }

    /// Bytes used by the vectors and ids.
    #[getter]
    fn memory_bytes(&self, py: Python<'_>) -> PyResult<usize> {
        self.read(py, |i| Ok(i.memory_bytes()))
    }

    fn __len__(&self, py: Python<'_>) -> PyResult<usize> {
        self.read(py, |i| Ok(i.len()))
    }

    fn __contains__(&self, py: Python<'_>, id: u64) -> PyResult<bool> {
        self.read(py, |i| Ok(i.contains(id)))
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        self.read(py, |i| {
            Ok(format!(
                "FaceIndex(dim={}, encoding={:?}, len={})",
                i.dim(),
                i.encoding().name(),
                i.len()
            ))
        })
    }

    /// Adds embeddings: ``ids`` (n,) non-negative ints and ``embeddings`` (n, dim), or one
    /// id and one (dim,) vector. All or nothing: on an error nothing is added.
    ///
    /// Raises :class:`InvalidEmbeddingError` (wrong dimension, NaN or infinite values, a
    /// zero vector) and :class:`DuplicateIdError`.
    fn add(&self, ids: &Bound<'_, PyAny>, embeddings: &Bound<'_, PyAny>) -> PyResult<()> {
        let py = ids.py();
        let ids = self::ids(ids)?;
        let (rows, _) = rows(embeddings)?;
        let (data, dim) = (rows.data(), rows.dim());
        self.write(py, |index| {
            let batch = EmbeddingBatch::from_rows(data, dim)?;
            if dim != index.dim() {
                return Err(galton::Error::InvalidEmbedding {
                    row: None,
                    reason: format!("dimension {dim}, the index holds {}", index.dim()),
                });
            }
            index.add_batch(&ids, &batch)
        })
    }

    /// The ``k`` nearest embeddings of each query, best first: ``(ids, scores)``, uint64 and
    /// float32 arrays of shape (n, k) — or (k,) for one (dim,) query. When the index holds
    /// fewer than ``k`` embeddings the missing places have id ``2**64 - 1`` and score NaN.
    #[pyo3(signature = (queries, k=10))]
    fn search<'py>(
        &self,
        queries: &Bound<'py, PyAny>,
        k: usize,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyAny>)> {
        let py = queries.py();
        let (rows, single) = rows(queries)?;
        let (data, dim) = (rows.data(), rows.dim());
        let lists = self.read(py, |index| {
            let batch = EmbeddingBatch::from_rows(data, dim)?;
            if dim != index.dim() {
                return Err(galton::Error::InvalidEmbedding {
                    row: None,
                    reason: format!("query dimension {dim}, the index holds {}", index.dim()),
                });
            }
            index.search_batch(&batch, k)
        })?;
        let (ids, scores) = hits_arrays(py, lists, k)?;
        if single {
            return Ok((ids.get_item(0)?.into_any(), scores.get_item(0)?.into_any()));
        }
        Ok((ids.into_any(), scores.into_any()))
    }

    /// Every embedding at cosine similarity ``threshold`` or above of one (dim,) query, best
    /// first: ``(ids, scores)``.
    fn range_search<'py>(
        &self,
        query: &Bound<'py, PyAny>,
        threshold: f32,
    ) -> IdsScores<'py, PyArray1<u64>, PyArray1<f32>> {
        let py = query.py();
        let (rows, _) = rows(query)?;
        let data = rows.data();
        let hits = self.read(py, |index| index.range_search(data, threshold))?;
        Ok((
            PyArray1::from_iter(py, hits.iter().map(|h| h.id)),
            PyArray1::from_iter(py, hits.iter().map(|h| h.score)),
        ))
    }

    /// Every pair of embeddings at cosine similarity ``threshold`` or above, best first:
    /// ``(a, b, scores)`` arrays (the deduplication join).
    fn join<'py>(&self, py: Python<'py>, threshold: f32) -> PyResult<Pairs<'py>> {
        let pairs = self.read(py, |index| index.join(threshold))?;
        Ok((
            PyArray1::from_iter(py, pairs.iter().map(|p| p.a)),
            PyArray1::from_iter(py, pairs.iter().map(|p| p.b)),
            PyArray1::from_iter(py, pairs.iter().map(|p| p.score)),
        ))
    }

    /// The stored (unit-length) embedding of ``id``; raises :class:`NotFoundError`.
    fn get<'py>(&self, py: Python<'py>, id: u64) -> PyResult<Bound<'py, PyArray1<f32>>> {
        let v = self.read(py, |index| {
            index
                .get(id)
                .ok_or_else(|| galton::Error::NotFound(format!("no embedding with id {id}")))
        })?;
        Ok(PyArray1::from_vec(py, v))
    }

    /// Removes ``id``; raises :class:`NotFoundError`.
    fn remove(&self, py: Python<'_>, id: u64) -> PyResult<()> {
        self.write(py, |index| index.remove(id))
    }

    /// Writes the index to a file.
    fn save(&self, path: &Bound<'_, PyAny>) -> PyResult<()> {
        let p = convert::path(path)?;
        self.read(path.py(), |index| index.save(&p))
    }

    /// Reads an index written by :meth:`save`; raises :class:`InvalidIndexFileError` for a
    /// file that is not one and :class:`GaltonIOError` for one that cannot be read.
    #[staticmethod]
    fn load(path: &Bound<'_, PyAny>) -> PyResult<Self> {
        let p = convert::path(path)?;
        let index = detach(path.py(), || FaceIndex::load(&p))?;
        Ok(PyFaceIndex {
            inner: RwLock::new(index),
        })
    }

    /// The index as bytes (the file format of :meth:`save`).
    fn to_bytes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let bytes = self.read(py, |index| Ok(index.to_bytes()))?;
        Ok(PyBytes::new(py, &bytes))
    }

    /// An index from :meth:`to_bytes`.
    #[staticmethod]
    fn from_bytes(data: &Bound<'_, PyAny>) -> PyResult<Self> {
        let bytes = convert::as_bytes(data)?
            .ok_or_else(|| wrong_type(format!("expected bytes, got {}", type_name(data))))?;
        let index = detach(data.py(), move || FaceIndex::from_bytes(&bytes))?;
        Ok(PyFaceIndex {
            inner: RwLock::new(index),
        })
    }
}

/// Cosine similarity of two embeddings (1-D arrays or sequences of floats).
#[pyfunction]
pub(crate) fn cosine_similarity(a: &Bound<'_, PyAny>, b: &Bound<'_, PyAny>) -> PyResult<f32> {
    let (ra, _) = rows(a)?;
    let (rb, _) = rows(b)?;
    check(
        a.py(),
        galton::face::cosine_similarity(ra.data(), rb.data()),
    )
}

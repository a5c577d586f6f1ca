//! Templates, extraction and matching.

use std::sync::{Arc, Mutex};

use galton::fingerprint;
use galton::image::FingerprintImage;
use galton::matcher::{self, PreparedTemplate};
use galton::template::TemplateFormat;
use galton::{FingerPosition, Minutia, MinutiaKind, Template};
use numpy::PyArray1;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList};

use crate::convert::{self, make, type_name, ImageSource};
use crate::errors::{check, detach, invalid, wrong_type};

/// Decodes a fingerprint image argument (path, bytes or 2-D uint8 array).
pub(crate) fn load_image(obj: &Bound<'_, PyAny>, ppi: f32) -> PyResult<FingerprintImage> {
    let py = obj.py();
    match convert::image(obj, false)? {
        ImageSource::Path(p) => detach(py, move || FingerprintImage::open(&p, ppi)),
        ImageSource::Bytes(b) => detach(py, move || FingerprintImage::decode(&b, ppi)),
        ImageSource::Pixels {
            width,
            height,
            data,
            ..
        } => check(py, FingerprintImage::from_raw(width, height, data, ppi)),
    }
}

pub(crate) fn kind_name(kind: MinutiaKind) -> &'static str {
    match kind {
        MinutiaKind::Ending => "ending",
        MinutiaKind::Bifurcation => "bifurcation",
        MinutiaKind::Other => "other",
    }
}

fn parse_kind(py: Python<'_>, s: &str) -> PyResult<MinutiaKind> {
    match s {
        "ending" => Ok(MinutiaKind::Ending),
        "bifurcation" => Ok(MinutiaKind::Bifurcation),
        "other" => Ok(MinutiaKind::Other),
        _ => Err(invalid(
            py,
            format!(
                "unknown minutia kind {s:?}: expected \"ending\", \"bifurcation\" or \"other\""
            ),
        )),
    }
}

/// A finger position from a name (`"right-index"`, `"right_index"`) or an ISO code 0–10.
pub(crate) fn finger_position(obj: &Bound<'_, PyAny>) -> PyResult<FingerPosition> {
    let py = obj.py();
    if let Ok(code) = obj.extract::<u8>() {
        return check(py, FingerPosition::from_code(code))
            .map_err(|_| invalid(py, format!("unknown finger code {code}: expected 0 to 10")));
    }
    if let Ok(name) = obj.extract::<String>() {
        return check(py, name.parse::<FingerPosition>());
    }
    Err(wrong_type(format!(
        "a finger position is a name such as \"right-index\" or a code 0-10, got {}",
        type_name(obj)
    )))
}

fn format_of(py: Python<'_>, name: &str) -> PyResult<TemplateFormat> {
    match name.to_ascii_lowercase().as_str() {
        "iso" => Ok(TemplateFormat::Iso19794_2),
        "ansi" => Ok(TemplateFormat::Ansi378),
        "galton" => Ok(TemplateFormat::Galton),
        "json" => Ok(TemplateFormat::Json),
        _ => Err(invalid(
            py,
            format!("unknown template format {name:?}: expected \"iso\", \"ansi\", \"galton\" or \"json\""),
        )),
    }
}

/// A fingerprint minutiae template.
///
/// Made by :func:`galton.extract`, decoded by :meth:`Template.from_bytes`, or built from
/// minutiae::
///
///     >>> import galton
///     >>> t = galton.Template(300, 400, [galton.Minutia(10.0, 20.0, 1.5, "ending", 80)])
///     >>> t.width, t.ppi, len(t.minutiae)
///     (300, 500.0, 1)
///     >>> galton.Template.from_bytes(t.to_bytes("iso")).minutiae[0].kind
///     'ending'
#[pyclass(name = "Template", module = "galton", frozen)]
#[derive(Clone)]
pub(crate) struct PyTemplate {
    pub(crate) inner: Arc<Template>,
}

impl PyTemplate {
    pub(crate) fn new(t: Template) -> Self {
        PyTemplate { inner: Arc::new(t) }
    }
}

#[pymethods]
impl PyTemplate {
    #[new]
    #[pyo3(signature = (width, height, minutiae=None, ppi=500.0, finger=None, quality=None))]
    fn py_new(
        py: Python<'_>,
        width: u32,
        height: u32,
        minutiae: Option<&Bound<'_, PyAny>>,
        ppi: f32,
        finger: Option<&Bound<'_, PyAny>>,
        quality: Option<u8>,
    ) -> PyResult<Self> {
        if !(ppi.is_finite() && ppi > 0.0) {
            return Err(invalid(
                py,
                format!("ppi must be a positive number, got {ppi}"),
            ));
        }
        if quality.is_some_and(|q| q > 100) {
            return Err(invalid(py, "quality is 0 to 100"));
        }
        let mut list = Vec::new();
        if let Some(ms) = minutiae {
            for m in ms.try_iter()? {
                let m = m?;
                let kind: String = m.getattr("kind")?.extract()?;
                let quality: u8 = m.getattr("quality")?.extract()?;
                list.push(Minutia {
                    x: m.getattr("x")?.extract()?,
                    y: m.getattr("y")?.extract()?,
                    direction: m.getattr("direction")?.extract()?,
                    kind: parse_kind(py, &kind)?,
                    quality: quality.min(100),
                });
            }
        }
        Ok(PyTemplate::new(Template {
            width,
            height,
            ppi,
            finger: finger.map(finger_position).transpose()?,
            quality,
            minutiae: list,
        }))
    }

    /// Decodes a template, its format detected (ISO 19794-2, ANSI 378, galton, JSON).
    ///
    /// Raises :class:`InvalidTemplateError` for bytes that are not a valid template.
    #[staticmethod]
    fn from_bytes(py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<Self> {
        let bytes = convert::as_bytes(data)?
            .ok_or_else(|| wrong_type(format!("expected bytes, got {}", type_name(data))))?;
        detach(py, move || Template::from_bytes(&bytes)).map(PyTemplate::new)
    }

    /// Encodes the template: ``format`` is ``"iso"`` (ISO/IEC 19794-2:2005, the default),
    /// ``"ansi"`` (ANSI INCITS 378-2004), ``"galton"`` (compact, lossless) or ``"json"``.
    #[pyo3(signature = (format="iso"))]
    fn to_bytes<'py>(&self, py: Python<'py>, format: &str) -> PyResult<Bound<'py, PyBytes>> {
        let f = format_of(py, format)?;
        let bytes = check(py, self.inner.to_bytes(f))?;
        Ok(PyBytes::new(py, &bytes))
    }

    /// Image width in pixels.
    #[getter]
    fn width(&self) -> u32 {
        self.inner.width
    }

    /// Image height in pixels.
    #[getter]
    fn height(&self) -> u32 {
        self.inner.height
    }

    /// Resolution in pixels per inch.
    #[getter]
    fn ppi(&self) -> f32 {
        self.inner.ppi
    }

    /// Finger position name (``"right-index"``…) or ``None``.
    #[getter]
    fn finger(&self) -> Option<&'static str> {
        self.inner.finger.map(|f| f.name())
    }

    /// Overall quality 0–100, or ``None``.
    #[getter]
    fn quality(&self) -> Option<u8> {
        self.inner.quality
    }

    /// The minutiae as a list of :class:`Minutia`.
    #[getter]
    fn minutiae<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let items = self
            .inner
            .minutiae
            .iter()
            .map(|m| {
                make(
                    py,
                    "Minutia",
                    (m.x, m.y, m.direction, kind_name(m.kind), m.quality),
                )
            })
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, items)
    }

    /// The minutiae as a numpy structured array with fields ``x``, ``y``, ``direction``
    /// (float32), ``kind`` (``<U11``) and ``quality`` (uint8).
    ///
    ///     >>> a = t.minutiae_array()            # doctest: +SKIP
    ///     >>> a["x"].mean(), (a["kind"] == "ending").sum()  # doctest: +SKIP
    fn minutiae_array<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let np = py.import("numpy")?;
        let ms = &self.inner.minutiae;
        let dtype = vec![
            ("x", "<f4"),
            ("y", "<f4"),
            ("direction", "<f4"),
            ("kind", "<U11"),
            ("quality", "u1"),
        ];
        let kwargs = PyDict::new(py);
        kwargs.set_item("dtype", dtype)?;
        let out = np.call_method("zeros", (ms.len(),), Some(&kwargs))?;
        out.set_item("x", PyArray1::from_iter(py, ms.iter().map(|m| m.x)))?;
        out.set_item("y", PyArray1::from_iter(py, ms.iter().map(|m| m.y)))?;
        out.set_item(
            "direction",
            PyArray1::from_iter(py, ms.iter().map(|m| m.direction)),
        )?;
        let kinds: Vec<&str> = ms.iter().map(|m| kind_name(m.kind)).collect();
        out.set_item("kind", kinds)?;
        out.set_item(
            "quality",
            PyArray1::from_iter(py, ms.iter().map(|m| m.quality)),
        )?;
        Ok(out)
    }

    fn __len__(&self) -> usize {
        self.inner.minutiae.len()
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        match other.cast::<PyTemplate>() {
            Ok(o) => *self.inner == *o.get().inner,
            Err(_) => false,
        }
    }

    fn __repr__(&self) -> String {
        let t = &self.inner;
        format!(
            "Template({}x{} at {} ppi, {} minutiae{}{})",
            t.width,
            t.height,
            t.ppi,
            t.minutiae.len(),
            t.finger
                .map(|f| format!(", finger={}", f.name()))
                .unwrap_or_default(),
            t.quality
                .map(|q| format!(", quality={q}"))
                .unwrap_or_default(),
        )
    }

    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyAny>, (Bound<'py, PyBytes>,))> {
        let py = slf.py();
        let bytes = check(py, slf.get().inner.to_bytes(TemplateFormat::Galton))?;
        Ok((
            slf.get_type().getattr("from_bytes")?,
            (PyBytes::new(py, &bytes),),
        ))
    }
}

/// Extracts the minutiae of a fingerprint image.
///
/// ``image`` is a path (``str`` or ``os.PathLike``), the bytes of an encoded image (PNG,
/// BMP, TIFF, JPEG, PGM), or a 2-D ``uint8`` numpy array (rows × columns, ridges dark);
/// ``ppi`` is its resolution (300–1000). The GIL is released while it runs.
///
///     >>> import galton
///     >>> t = galton.extract("fixtures/synth/1_1.png")   # doctest: +SKIP
///     >>> len(t.minutiae) > 20                           # doctest: +SKIP
///     True
///
/// Raises :class:`InvalidImageError` for bytes that are no image or an image without
/// fingerprint, :class:`UnsupportedResolutionError` for a ``ppi`` out of range and
/// :class:`GaltonIOError` for a file that cannot be read.
#[pyfunction]
#[pyo3(signature = (image, ppi=500.0))]
pub(crate) fn extract(image: &Bound<'_, PyAny>, ppi: f32) -> PyResult<PyTemplate> {
    let py = image.py();
    let img = load_image(image, ppi)?;
    detach(py, move || fingerprint::extract(&img)).map(PyTemplate::new)
}

/// Extracts many images in parallel (all cores, GIL released), in input order.
///
/// Returns a list of :class:`Template`; raises the first error met.
#[pyfunction]
#[pyo3(signature = (images, ppi=500.0))]
pub(crate) fn extract_many(images: &Bound<'_, PyAny>, ppi: f32) -> PyResult<Vec<PyTemplate>> {
    let py = images.py();
    let decoded = images
        .try_iter()?
        .map(|i| load_image(&i?, ppi))
        .collect::<PyResult<Vec<_>>>()?;
    let results = detach(py, move || Ok(fingerprint::extract_many(&decoded)))?;
    results
        .into_iter()
        .map(|r| check(py, r).map(PyTemplate::new))
        .collect()
}

/// A template prepared for matching (made by :meth:`Matcher.prepare`): preparing costs
/// about as much as a comparison, so prepare each template once for many comparisons.
#[pyclass(name = "PreparedTemplate", module = "galton", frozen)]
pub(crate) struct PyPrepared {
    inner: Arc<PreparedTemplate>,
    template: Arc<Template>,
}

#[pymethods]
impl PyPrepared {
    /// The template it was prepared from.
    #[getter]
    fn template(&self) -> PyTemplate {
        PyTemplate {
            inner: self.template.clone(),
        }
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }

    fn __repr__(&self) -> String {
        format!("PreparedTemplate({} minutiae used)", self.inner.len())
    }
}

/// A template or a prepared template, prepared if need be.
fn prepared(obj: &Bound<'_, PyAny>) -> PyResult<(Arc<PreparedTemplate>, Arc<Template>)> {
    if let Ok(p) = obj.cast::<PyPrepared>() {
        let p = p.get();
        return Ok((p.inner.clone(), p.template.clone()));
    }
    if let Ok(t) = obj.cast::<PyTemplate>() {
        let t = t.get().inner.clone();
        return Ok((Arc::new(PreparedTemplate::new(&t)), t));
    }
    Err(wrong_type(format!(
        "expected a Template or a PreparedTemplate, got {}",
        type_name(obj)
    )))
}

/// Compares fingerprint templates, reusing prepared templates and its scratch memory.
///
///     >>> m = galton.Matcher()                          # doctest: +SKIP
///     >>> gallery = [m.prepare(t) for t in templates]   # doctest: +SKIP
///     >>> m.score(probe, gallery[0])                    # doctest: +SKIP
///     0.73
///     >>> m.score_many(probe, gallery)                  # numpy float32 array  # doctest: +SKIP
///
/// Scores are similarities in [0, 1]; ``galton.thresholds`` gives the scores of a false
/// match rate of 1 %, 0.1 % and 0.01 %. A Matcher may be shared between threads (calls are
/// serialised); each call releases the GIL.
#[pyclass(name = "Matcher", module = "galton", frozen)]
pub(crate) struct PyMatcher {
    inner: Mutex<matcher::Matcher>,
}

impl PyMatcher {
    fn with<T: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&mut matcher::Matcher) -> T + Send,
    ) -> PyResult<T> {
        detach(py, || {
            let mut m = self.inner.lock().unwrap_or_else(|e| e.into_inner());
            Ok(f(&mut m))
        })
    }
}

#[pymethods]
impl PyMatcher {
    #[new]
    fn py_new() -> Self {
        PyMatcher {
            inner: Mutex::new(matcher::Matcher::new()),
        }
    }

    /// Prepares a template for many comparisons.
    fn prepare(&self, py: Python<'_>, template: &Bound<'_, PyTemplate>) -> PyResult<PyPrepared> {
        let t = template.get().inner.clone();
        let p = detach(py, || Ok(PreparedTemplate::new(&t)))?;
        Ok(PyPrepared {
            inner: Arc::new(p),
            template: t,
        })
    }

    /// Similarity in [0, 1] of two templates (``Template`` or ``PreparedTemplate``).
    fn score(&self, a: &Bound<'_, PyAny>, b: &Bound<'_, PyAny>) -> PyResult<f32> {
        let (pa, _) = prepared(a)?;
        let (pb, _) = prepared(b)?;
        self.with(a.py(), |m| m.score(&pa, &pb))
    }

    /// Scores of ``probe`` against each of ``candidates``, as a float32 numpy array.
    fn score_many<'py>(
        &self,
        probe: &Bound<'py, PyAny>,
        candidates: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyArray1<f32>>> {
        let py = probe.py();
        let (p, _) = prepared(probe)?;
        let cs = candidates
            .try_iter()?
            .map(|c| prepared(&c?).map(|x| x.0))
            .collect::<PyResult<Vec<_>>>()?;
        let scores = self.with(py, |m| {
            cs.iter().map(|c| m.score(&p, c)).collect::<Vec<_>>()
        })?;
        Ok(PyArray1::from_vec(py, scores))
    }

    /// Why two templates scored as they did: an :class:`Explanation` with the score, the
    /// matched minutiae pairs (indices into each template's ``minutiae``, best first) and the
    /// estimated alignment.
    fn explain<'py>(
        &self,
        a: &Bound<'py, PyAny>,
        b: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = a.py();
        let (pa, _) = prepared(a)?;
        let (pb, _) = prepared(b)?;
        let e = self.with(py, |m| m.explain(&pa, &pb))?;
        let pairs = e
            .pairs
            .iter()
            .map(|p| make(py, "MatchedPair", (p.probe, p.candidate, p.weight)))
            .collect::<PyResult<Vec<_>>>()?;
        let al = e.alignment;
        let alignment = make(py, "Alignment", (al.rotation, al.dx, al.dy, al.scale))?;
        make(py, "Explanation", (e.score, pairs, alignment))
    }

    fn __repr__(&self) -> String {
        let kernel = self
            .inner
            .lock()
            .map(|m| format!("{:?}", m.kernel()))
            .unwrap_or_default();
        format!("Matcher(kernel={kernel})")
    }
}

/// Similarity in [0, 1] of two fingerprint templates.
///
///     >>> galton.match(galton.extract("a.png"), galton.extract("b.png"))  # doctest: +SKIP
///     0.42
///
/// For many comparisons use a :class:`Matcher` and prepared templates.
#[pyfunction(name = "match")]
pub(crate) fn match_(a: &Bound<'_, PyTemplate>, b: &Bound<'_, PyTemplate>) -> PyResult<f32> {
    let (ta, tb) = (a.get().inner.clone(), b.get().inner.clone());
    detach(a.py(), move || Ok(matcher::compare(&ta, &tb)))
}

/// Why two templates scored as they did (see :meth:`Matcher.explain`).
#[pyfunction]
pub(crate) fn explain<'py>(
    a: &Bound<'py, PyAny>,
    b: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    PyMatcher::py_new().explain(a, b)
}

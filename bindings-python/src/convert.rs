//! Conversions of Python arguments: images, paths, result objects.

use std::path::PathBuf;

use numpy::{
    PyArrayDescrMethods, PyReadonlyArray2, PyReadonlyArray3, PyUntypedArray, PyUntypedArrayMethods,
};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyByteArray, PyBytes, PyModule, PyString};

use crate::errors::{galton_error, wrong_type};

/// Where an image comes from.
pub(crate) enum ImageSource {
    Path(PathBuf),
    Bytes(Vec<u8>),
    /// Row-major pixels with `channels` values each.
    Pixels {
        width: u32,
        height: u32,
        channels: usize,
        data: Vec<u8>,
    },
}

/// A path from `str` or an `os.PathLike`, `None` for anything else.
pub(crate) fn as_path(obj: &Bound<'_, PyAny>) -> PyResult<Option<PathBuf>> {
    if obj.is_instance_of::<PyString>() || obj.hasattr("__fspath__")? {
        let os = obj.py().import("os")?;
        let p = os.call_method1("fspath", (obj,))?;
        return Ok(Some(p.extract::<PathBuf>()?));
    }
    Ok(None)
}

/// A required path argument.
pub(crate) fn path(obj: &Bound<'_, PyAny>) -> PyResult<PathBuf> {
    as_path(obj)?.ok_or_else(|| {
        wrong_type(format!(
            "expected a path (str or os.PathLike), got {}",
            type_name(obj)
        ))
    })
}

/// Bytes from `bytes`, `bytearray` or `memoryview`, `None` for anything else.
pub(crate) fn as_bytes(obj: &Bound<'_, PyAny>) -> PyResult<Option<Vec<u8>>> {
    if let Ok(b) = obj.cast::<PyBytes>() {
        return Ok(Some(b.as_bytes().to_vec()));
    }
    if let Ok(b) = obj.cast::<PyByteArray>() {
        return Ok(Some(b.to_vec()));
    }
    if obj.is_instance(&obj.py().import("builtins")?.getattr("memoryview")?)? {
        return Ok(Some(obj.call_method0("tobytes")?.extract()?));
    }
    Ok(None)
}

pub(crate) fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".into())
}

/// An image argument: a path, encoded bytes, or a `uint8` numpy array of shape (h, w)
/// or, when `colour` is set, (h, w, 3) or (h, w, 4).
pub(crate) fn image(obj: &Bound<'_, PyAny>, colour: bool) -> PyResult<ImageSource> {
    let py = obj.py();
    if let Some(p) = as_path(obj)? {
        return Ok(ImageSource::Path(p));
    }
    if let Some(b) = as_bytes(obj)? {
        return Ok(ImageSource::Bytes(b));
    }
    let shapes = if colour {
        "(height, width), (height, width, 3) or (height, width, 4)"
    } else {
        "(height, width)"
    };
    if let Ok(array) = obj.cast::<PyUntypedArray>() {
        let dtype = array.dtype();
        if !dtype.is_equiv_to(&numpy::dtype::<u8>(py)) {
            return Err(wrong_type(format!(
                "an image array must be of dtype uint8, got {dtype}"
            )));
        }
        let bad_shape = || {
            galton_error(
                py,
                "InvalidImageError",
                format!(
                    "invalid image: an image array must be of shape {shapes}, got {:?}",
                    array.shape()
                ),
            )
        };
        let dims = |h: usize, w: usize| -> PyResult<(u32, u32)> {
            match (u32::try_from(w), u32::try_from(h)) {
                (Ok(w), Ok(h)) => Ok((w, h)),
                _ => Err(bad_shape()),
            }
        };
        return match array.ndim() {
            2 => {
                let a: PyReadonlyArray2<'_, u8> = obj.extract()?;
                let view = a.as_array();
                let (width, height) = dims(view.nrows(), view.ncols())?;
                Ok(ImageSource::Pixels {
                    width,
                    height,
                    channels: 1,
                    data: contiguous(&a),
                })
            }
            3 if colour => {
                let a: PyReadonlyArray3<'_, u8> = obj.extract()?;
                let view = a.as_array();
                let (h, w, c) = view.dim();
                if c != 3 && c != 4 {
                    return Err(bad_shape());
                }
                let (width, height) = dims(h, w)?;
                // `as_slice` also accepts Fortran order: only C order is read as is.
                let data = match a.as_slice() {
                    Ok(s) if a.is_c_contiguous() => s.to_vec(),
                    _ => view.iter().copied().collect(),
                };
                Ok(ImageSource::Pixels {
                    width,
                    height,
                    channels: c,
                    data,
                })
            }
            _ => Err(bad_shape()),
        };
    }
    Err(wrong_type(format!(
        "expected an image: a path, bytes or a uint8 numpy array of shape {shapes}, got {}",
        type_name(obj)
    )))
}

/// The pixels of a 2-D array in row-major order (one copy, whatever the strides).
fn contiguous(a: &PyReadonlyArray2<'_, u8>) -> Vec<u8> {
    if a.is_c_contiguous() {
        if let Ok(s) = a.as_slice() {
            return s.to_vec();
        }
    }
    a.as_array().iter().copied().collect()
}

/// `galton._types.<name>(*args)`.
pub(crate) fn make<'py, A>(py: Python<'py>, name: &str, args: A) -> PyResult<Bound<'py, PyAny>>
where
    A: pyo3::call::PyCallArgs<'py>,
{
    static TYPES: PyOnceLock<Py<PyModule>> = PyOnceLock::new();
    let module =
        TYPES.get_or_try_init(py, || Ok::<_, PyErr>(py.import("galton._types")?.unbind()))?;
    module.bind(py).getattr(name)?.call1(args)
}

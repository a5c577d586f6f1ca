//! The one conversion of core errors to Python exceptions, and the one helper that runs core
//! code without the GIL.

use std::panic::{catch_unwind, AssertUnwindSafe};

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyType;

/// The Python module that defines the exception classes (multiple inheritance, e.g.
/// `InvalidImageError(GaltonError, ValueError)`, is plain Python there).
const ERRORS: &str = "galton._errors";

/// One exception class of `galton._errors`, imported once.
macro_rules! class {
    ($py:expr, $name:literal) => {{
        static CELL: PyOnceLock<Py<PyType>> = PyOnceLock::new();
        CELL.import($py, ERRORS, $name)
    }};
}

/// A `galton.<name>` exception with this message.
pub(crate) fn galton_error(py: Python<'_>, name: &'static str, message: String) -> PyErr {
    let class = match name {
        "InvalidImageError" => class!(py, "InvalidImageError"),
        "UnsupportedResolutionError" => class!(py, "UnsupportedResolutionError"),
        "InvalidTemplateError" => class!(py, "InvalidTemplateError"),
        "InvalidEmbeddingError" => class!(py, "InvalidEmbeddingError"),
        "InvalidIndexFileError" => class!(py, "InvalidIndexFileError"),
        "LimitExceededError" => class!(py, "LimitExceededError"),
        "NotFoundError" => class!(py, "NotFoundError"),
        "DuplicateIdError" => class!(py, "DuplicateIdError"),
        "InvalidArgumentError" => class!(py, "InvalidArgumentError"),
        "DatabaseError" => class!(py, "DatabaseError"),
        "StoreKeyError" => class!(py, "StoreKeyError"),
        "BusyError" => class!(py, "BusyError"),
        _ => class!(py, "GaltonError"),
    };
    match class {
        Ok(class) => PyErr::from_type(class.clone(), message),
        Err(e) => e,
    }
}

/// Converts a core error: every variant has its own class.
pub(crate) fn to_py(py: Python<'_>, error: galton::Error) -> PyErr {
    use galton::Error as E;
    let message = error.to_string();
    let name = match &error {
        E::InvalidImage(_) => "InvalidImageError",
        E::UnsupportedResolution { .. } => "UnsupportedResolutionError",
        E::InvalidTemplate { .. } => "InvalidTemplateError",
        E::InvalidEmbedding { .. } => "InvalidEmbeddingError",
        E::InvalidIndexFile(_) => "InvalidIndexFileError",
        E::LimitExceeded { .. } => "LimitExceededError",
        E::NotFound(_) => "NotFoundError",
        E::DuplicateId(_) => "DuplicateIdError",
        E::InvalidArgument(_) => "InvalidArgumentError",
        E::Database { .. } => "DatabaseError",
        E::Key(_) => "StoreKeyError",
        E::Busy { .. } => "BusyError",
        E::Io { path, source } => {
            // OSError(errno, strerror, filename): `errno`, `strerror`, `filename` are set.
            let errno = source.raw_os_error().unwrap_or(0);
            let args = (errno, source.to_string(), path.display().to_string());
            return match class!(py, "GaltonIOError") {
                Ok(class) => PyErr::from_type(class.clone(), args),
                Err(e) => e,
            };
        }
        // `galton::Error` is `#[non_exhaustive]`: a variant added later is still a GaltonError.
        _ => "GaltonError",
    };
    galton_error(py, name, message)
}

/// An invalid argument value (`InvalidArgumentError`, a `ValueError`).
pub(crate) fn invalid(py: Python<'_>, message: impl Into<String>) -> PyErr {
    galton_error(py, "InvalidArgumentError", message.into())
}

/// An argument of the wrong type.
pub(crate) fn wrong_type(message: impl Into<String>) -> PyErr {
    PyTypeError::new_err(message.into())
}

/// Runs `f` with the GIL released, converting its error (and a panic, which would be a bug
/// in galton) into a Python exception. Every call into core that may take time goes
/// through here.
pub(crate) fn detach<T, F>(py: Python<'_>, f: F) -> PyResult<T>
where
    F: FnOnce() -> galton::Result<T> + Send,
    T: Send,
{
    match py.detach(|| catch_unwind(AssertUnwindSafe(f))) {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(error)) => Err(to_py(py, error)),
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            Err(galton_error(
                py,
                "GaltonError",
                format!("internal error in galton (please report it): {what}"),
            ))
        }
    }
}

/// Converts a core result obtained with the GIL held (quick calls).
pub(crate) fn check<T>(py: Python<'_>, result: galton::Result<T>) -> PyResult<T> {
    result.map_err(|e| to_py(py, e))
}

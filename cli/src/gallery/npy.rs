//! A strict reader for the one kind of NumPy `.npy` file a face embedding comes in: a
//! little-endian float32 or float64 vector, shape `(n,)` or `(1, n)`, C order.
//!
//! The format: the magic `\x93NUMPY`, a major and a minor version byte, the header length
//! (2 bytes little-endian in version 1, 4 bytes in versions 2 and 3), then the header, a
//! Python dict literal such as `{'descr': '<f4', 'fortran_order': False, 'shape': (512,), }`,
//! padded with spaces and ending in a newline; then the raw values.

use anyhow::{bail, Context};

const MAGIC: &[u8] = b"\x93NUMPY";

/// Reads the values of a `.npy` vector of float32 (`<f4`) or float64 (`<f8`), as `f32`.
/// Anything else (another dtype, big-endian, Fortran order, a matrix of several rows, a
/// truncated or oversized body) is refused with a message saying what was found.
pub fn read_vector(bytes: &[u8]) -> anyhow::Result<Vec<f32>> {
    let Some(rest) = bytes.strip_prefix(MAGIC) else {
        bail!("not a .npy file (no \\x93NUMPY magic)");
    };
    let (version, rest) = rest.split_at_checked(2).context("truncated .npy header")?;
    let major = version[0];
    let (len, rest) = match major {
        1 => {
            let (n, rest) = rest.split_at_checked(2).context("truncated .npy header")?;
            (u16::from_le_bytes([n[0], n[1]]) as usize, rest)
        }
        2 | 3 => {
            let (n, rest) = rest.split_at_checked(4).context("truncated .npy header")?;
            (u32::from_le_bytes([n[0], n[1], n[2], n[3]]) as usize, rest)
        }
        v => bail!(".npy format version {v} is not supported (1, 2 or 3)"),
    };
    let (header, body) = rest
        .split_at_checked(len)
        .context("truncated .npy header")?;
    let header = std::str::from_utf8(header).context(".npy header is not text")?;
    let header = Header::parse(header)?;
    let width = match header.descr.as_str() {
        "<f4" => 4,
        "<f8" => 8,
        other => bail!(
            ".npy dtype {other:?}: a face embedding must be little-endian float32 ('<f4') \
             or float64 ('<f8')"
        ),
    };
    if header.fortran_order {
        bail!(".npy array is in Fortran order: save it in C order (the default)");
    }
    let n = match header.shape.as_slice() {
        [n] => *n,
        [1, n] => *n,
        shape => bail!(
            ".npy array has shape {shape:?}: a face embedding is one vector, shape (n,) or (1, n)"
        ),
    };
    let expected = n.checked_mul(width).context(".npy shape too large")?;
    if body.len() != expected {
        bail!(
            ".npy body has {} bytes, shape ({n},) of {} needs {expected}",
            body.len(),
            header.descr
        );
    }
    Ok(if width == 4 {
        body.chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect()
    } else {
        body.chunks_exact(8)
            .map(|c| f64::from_le_bytes(c.try_into().expect("8 bytes")) as f32)
            .collect()
    })
}

/// The three keys of a `.npy` header.
#[derive(Debug, PartialEq)]
struct Header {
    descr: String,
    fortran_order: bool,
    shape: Vec<usize>,
}

impl Header {
    /// Parses the dict literal: exactly the keys `descr`, `fortran_order` and `shape`.
    fn parse(text: &str) -> anyhow::Result<Header> {
        let inner = text
            .trim()
            .strip_prefix('{')
            .and_then(|t| t.strip_suffix('}'))
            .with_context(|| format!(".npy header is not a dict: {text:?}"))?;
        let (mut descr, mut fortran_order, mut shape) = (None, None, None);
        let mut rest = inner.trim_start();
        while !rest.is_empty() {
            let (key, after) = quoted(rest).with_context(|| bad_header(text))?;
            let after = after
                .trim_start()
                .strip_prefix(':')
                .with_context(|| bad_header(text))?
                .trim_start();
            rest = match key {
                "descr" => {
                    let (value, after) = quoted(after).with_context(|| bad_header(text))?;
                    descr = Some(value.to_string());
                    after
                }
                "fortran_order" => {
                    if let Some(after) = after.strip_prefix("False") {
                        fortran_order = Some(false);
                        after
                    } else if let Some(after) = after.strip_prefix("True") {
                        fortran_order = Some(true);
                        after
                    } else {
                        bail!(bad_header(text));
                    }
                }
                "shape" => {
                    let after = after.strip_prefix('(').with_context(|| bad_header(text))?;
                    let end = after.find(')').with_context(|| bad_header(text))?;
                    let dims = after[..end]
                        .split(',')
                        .map(str::trim)
                        .filter(|d| !d.is_empty())
                        .map(|d| d.parse::<usize>())
                        .collect::<Result<Vec<_>, _>>()
                        .with_context(|| bad_header(text))?;
                    shape = Some(dims);
                    &after[end + 1..]
                }
                other => bail!(".npy header has an unexpected key {other:?}"),
            }
            .trim_start();
            rest = rest.strip_prefix(',').unwrap_or(rest).trim_start();
        }
        Ok(Header {
            descr: descr.context(".npy header has no 'descr'")?,
            fortran_order: fortran_order.context(".npy header has no 'fortran_order'")?,
            shape: shape.context(".npy header has no 'shape'")?,
        })
    }
}

fn bad_header(text: &str) -> String {
    format!(".npy header cannot be read: {text:?}")
}

/// A string in single or double quotes at the start of `text`, and what follows it.
fn quoted(text: &str) -> Option<(&str, &str)> {
    let quote = text.chars().next().filter(|c| *c == '\'' || *c == '"')?;
    let body = &text[1..];
    let end = body.find(quote)?;
    Some((&body[..end], &body[end + 1..]))
}

/// The bytes of a version-1 `.npy` file holding `values` as `descr` (`<f4` or `<f8`), shape
/// `shape`: for the tests.
#[cfg(test)]
pub fn write(values: &[f64], descr: &str, shape: &str) -> Vec<u8> {
    let mut header = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}");
    while !(MAGIC.len() + 4 + header.len() + 1).is_multiple_of(64) {
        header.push(' ');
    }
    header.push('\n');
    let mut out = MAGIC.to_vec();
    out.extend([1, 0]);
    out.extend((header.len() as u16).to_le_bytes());
    out.extend(header.as_bytes());
    for &v in values {
        match descr {
            "<f8" => out.extend(v.to_le_bytes()),
            _ => out.extend((v as f32).to_le_bytes()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_float32_and_float64_vectors() {
        let v = [0.5, -1.0, 2.0];
        assert_eq!(
            read_vector(&write(&v, "<f4", "(3,)")).unwrap(),
            [0.5, -1.0, 2.0]
        );
        assert_eq!(
            read_vector(&write(&v, "<f8", "(1, 3)")).unwrap(),
            [0.5, -1.0, 2.0]
        );
    }

    #[test]
    fn reads_version_2_headers() {
        let mut bytes = write(&[1.0, 2.0], "<f4", "(2,)");
        // Version 2: a four-byte header length.
        bytes[6] = 2;
        let len = u16::from_le_bytes([bytes[8], bytes[9]]) as u32;
        let mut v2 = bytes[..8].to_vec();
        v2.extend(len.to_le_bytes());
        v2.extend(&bytes[10..]);
        assert_eq!(read_vector(&v2).unwrap(), [1.0, 2.0]);
    }

    #[test]
    fn refuses_what_is_not_a_float_vector() {
        let err = |bytes: &[u8]| read_vector(bytes).unwrap_err().to_string();
        assert!(err(b"[1, 2, 3]").contains("not a .npy"));
        assert!(err(&write(&[1.0], "<i4", "(1,)")).contains("float32"));
        assert!(err(&write(&[1.0], ">f4", "(1,)")).contains("float32"));
        assert!(err(&write(&[1.0; 4], "<f4", "(2, 2)")).contains("shape [2, 2]"));
        let mut short = write(&[1.0, 2.0], "<f4", "(2,)");
        short.pop();
        assert!(err(&short).contains("needs 8"));
        let mut bytes = write(&[1.0], "<f4", "(1,)");
        let at = bytes.windows(5).position(|w| w == b"False").unwrap();
        bytes[at..at + 5].copy_from_slice(b"True ");
        assert!(err(&bytes).contains("Fortran"));
        let mut v9 = write(&[1.0], "<f4", "(1,)");
        v9[6] = 9;
        assert!(err(&v9).contains("version 9"));
    }
}

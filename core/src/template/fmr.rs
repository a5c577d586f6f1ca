//! What ISO/IEC 19794-2:2005 and ANSI INCITS 378-2004 records share: the format identifier
//! and version, the image size, resolution and view count that end the record header, the
//! finger views with their minutiae and extended data, and telling the two apart.
//!
//! The byte layouts are documented in [`super::iso`] and [`super::ansi`].

use super::reader::{in_context, Reader, Writer};
use super::{
    ansi, iso, normalise_direction, FingerPosition, Minutia, MinutiaKind, Template, TemplateFormat,
};
use crate::error::{Error, Result};
use crate::limits::{Limit, TemplateLimits};

/// Format identifier of both standards.
pub(super) const MAGIC: &[u8; 4] = b"FMR\0";
/// Version of ISO 19794-2:2005 and ANSI 378-2004 alike.
pub(super) const VERSION: &[u8; 4] = b" 20\0";

/// Bytes of a finger view header: position, view number and impression type, quality,
/// minutiae count.
const VIEW_HEADER: usize = 4;
/// Bytes of one minutia.
const MINUTIA: u64 = 6;
/// Largest coordinate the 14-bit fields hold.
const MAX_COORDINATE: f32 = 0x3FFF as f32;
/// Centimetres in an inch.
const CM_PER_INCH: f64 = 2.54;

/// What differs between the two standards once the record header is read.
pub(super) struct Dialect {
    /// Name used in errors.
    pub(super) label: &'static str,
    /// Angle codes in a full turn: 256 (ISO, 1.40625°) or 180 (ANSI, 2°).
    pub(super) angle_steps: u16,
}

impl Dialect {
    fn error(&self, reason: impl Into<String>) -> Error {
        Error::template(self.label, reason)
    }

    /// Angle unit in degrees.
    fn angle_unit(&self) -> f64 {
        360.0 / f64::from(self.angle_steps)
    }
}

/// Refuses `FMR` records of other versions, naming them; accepts records too short to have
/// a version (the decoders then report the truncation).
pub(super) fn check_version(bytes: &[u8]) -> Result<()> {
    match bytes.get(4..8) {
        None => Ok(()),
        Some(version) if version == VERSION => Ok(()),
        Some(version) => {
            let known = match version {
                b"030\0" => " (ISO/IEC 19794-2:2011)",
                b" 30\0" => " (ANSI INCITS 378-2009)",
                _ => "",
            };
            Err(Error::template(
                "unknown",
                format!(
                    "FMR record version {:?}{known} is not supported: galton reads version \
                     \" 20\" (ISO/IEC 19794-2:2005 and ANSI INCITS 378-2004)",
                    String::from_utf8_lossy(&version[..3])
                ),
            ))
        }
    }
}

/// Reads and checks the format identifier and version.
pub(super) fn read_magic(r: &mut Reader) -> Result<()> {
    let magic = r.take(4, "format identifier")?;
    if magic != MAGIC {
        return Err(r.error(format!(
            "wrong magic: expected \"FMR\\0\", found {magic:02X?}"
        )));
    }
    let version = r.take(4, "version")?;
    if version != VERSION {
        return Err(r.error(format!(
            "wrong version: expected \" 20\\0\", found {version:02X?}"
        )));
    }
    Ok(())
}

/// Decodes a record as ISO and as ANSI and says which it is, with that reading's result.
///
/// A record is the format under which it decodes: its record length field agrees with the
/// views it holds and the bytes given, and every field is valid. If both readings succeed
/// (a contrived record), ISO wins. If neither does, the record length fields decide, so
/// that the error reported is the one of the likelier format (see [`ansi_by_length`]).
pub(super) fn decode_detected(
    bytes: &[u8],
    limits: &TemplateLimits,
) -> (TemplateFormat, Result<Vec<Template>>) {
    let iso = iso::decode(bytes, limits);
    if iso.is_ok() {
        return (TemplateFormat::Iso19794_2, iso);
    }
    let ansi = ansi::decode(bytes, limits);
    if ansi.is_ok() || ansi_by_length(bytes) {
        (TemplateFormat::Ansi378, ansi)
    } else {
        (TemplateFormat::Iso19794_2, iso)
    }
}

/// The guess from the length fields alone for a record that decodes as neither format.
/// Bytes 8–9 are ANSI's 2-byte record length and the top half of ISO's 4-byte one:
/// - 26 or more: ANSI (an ISO record that long would exceed 1.7 MB, which only huge
///   extended data blocks could fill);
/// - 1 to 25: ISO (below ANSI's 26-byte minimum);
/// - 0: ANSI's 6-byte length form if bytes 10–11 (its top half) are below 24, otherwise ISO
///   (whose length is at least 24).
fn ansi_by_length(bytes: &[u8]) -> bool {
    let word = |at: usize| match bytes.get(at..at + 2) {
        Some(&[high, low]) => u16::from_be_bytes([high, low]),
        _ => 0,
    };
    match word(8) {
        0 => word(10) < 24,
        short => short >= 26,
    }
}

/// Reads what follows the format-specific header fields: image size, resolution, view
/// count, reserved byte, then the views up to the record end, then checks that only zero
/// padding follows the record.
pub(super) fn read_views(
    r: &mut Reader,
    d: &Dialect,
    limits: &TemplateLimits,
) -> Result<Vec<Template>> {
    let width = r.u16("image width")?;
    let height = r.u16("image height")?;
    let x_ppcm = r.u16("horizontal resolution")?;
    let y_ppcm = r.u16("vertical resolution")?;
    let count = r.u8("number of finger views")?;
    r.u8("reserved byte")?;
    if x_ppcm == 0 || y_ppcm == 0 {
        return Err(d.error(format!(
            "resolution {x_ppcm}×{y_ppcm} pixels per cm: zero is not a resolution"
        )));
    }
    if x_ppcm != y_ppcm {
        return Err(d.error(format!(
            "horizontal resolution {x_ppcm} differs from vertical {y_ppcm} pixels per cm: \
             galton needs square pixels"
        )));
    }
    if count == 0 {
        return Err(d.error("record holds no finger views"));
    }
    let shape = (u32::from(width), u32::from(height), ppcm_to_ppi(x_ppcm));
    let views = r.list(
        (count.into(), (VIEW_HEADER + 2) as u64),
        (Limit::TemplateViews, limits.max_views),
        "number of finger views",
        "view",
        |r| read_view(r, d, shape, limits),
    )?;
    if r.remaining() != 0 {
        return Err(d.error(format!(
            "record length says {} bytes but its views end at byte {}",
            r.pos() + r.remaining(),
            r.pos()
        )));
    }
    let after = r.after_end();
    if after.iter().any(|&b| b != 0) {
        return Err(d.error(format!(
            "{} bytes follow the record (record length says {}) and are not zero padding",
            after.len(),
            r.pos()
        )));
    }
    Ok(views)
}

/// Reads one finger view: header, minutiae, extended data block (skipped).
fn read_view(
    r: &mut Reader,
    d: &Dialect,
    (width, height, ppi): (u32, u32, f32),
    limits: &TemplateLimits,
) -> Result<Template> {
    let code = r.u8("finger position")?;
    let finger = FingerPosition::from_code(code)
        .map_err(|_| d.error(format!("unknown finger position code {code}")))?;
    // View number (high nibble) and impression type (low nibble): not kept.
    r.u8("view number and impression type")?;
    let quality = r.u8("finger quality")?;
    if quality > 100 {
        return Err(d.error(format!("finger quality {quality} is above 100")));
    }
    let count = r.u8("minutia count")?;
    let minutiae = r.list(
        (count.into(), MINUTIA),
        (Limit::TemplateMinutiae, limits.max_minutiae),
        "minutia count",
        "minutia",
        |r| read_minutia(r, d),
    )?;
    let extended = r.u16("extended data block length")?;
    r.take(extended.into(), "extended data block")?;
    Ok(Template {
        width,
        height,
        ppi,
        finger: Some(finger),
        quality: Some(quality),
        minutiae,
    })
}

fn read_minutia(r: &mut Reader, d: &Dialect) -> Result<Minutia> {
    let x = r.u16("minutia type and x")?;
    let y = r.u16("minutia y")?;
    let angle = r.u8("minutia angle")?;
    let quality = r.u8("minutia quality")?;
    let kind = match x >> 14 {
        0b01 => MinutiaKind::Ending,
        0b10 => MinutiaKind::Bifurcation,
        0b00 => MinutiaKind::Other,
        code => return Err(d.error(format!("reserved minutia type code {code:02b}"))),
    };
    if u16::from(angle) >= d.angle_steps {
        return Err(d.error(format!(
            "angle {angle} is out of range 0–{} ({}° units)",
            d.angle_steps - 1,
            d.angle_unit()
        )));
    }
    if quality > 100 {
        return Err(d.error(format!("quality {quality} is above 100")));
    }
    Ok(Minutia {
        x: f32::from(x & 0x3FFF),
        // The top 2 bits of y are reserved.
        y: f32::from(y & 0x3FFF),
        direction: normalise_direction((f64::from(angle) * d.angle_unit()).to_radians()),
        kind,
        quality,
    })
}

/// Resolution in pixels per inch for a resolution in pixels per centimetre.
fn ppcm_to_ppi(ppcm: u16) -> f32 {
    (f64::from(ppcm) * CM_PER_INCH) as f32
}

/// Pixels per centimetre, rounded to the nearest whole number, for `ppi` pixels per inch.
fn ppi_to_ppcm(ppi: f32, d: &Dialect) -> Result<u16> {
    let ppcm = (f64::from(ppi) / CM_PER_INCH).round();
    if (1.0..=f64::from(u16::MAX)).contains(&ppcm) {
        Ok(ppcm as u16)
    } else {
        Err(d.error(format!(
            "resolution {ppi} ppi is {ppcm} pixels per cm, outside the field's 1–65535"
        )))
    }
}

/// Writes what follows the format-specific header fields (see [`read_views`]). The views
/// were checked by [`Template::check`].
pub(super) fn write_views(w: &mut Writer, views: &[Template], d: &Dialect) -> Result<()> {
    let Some(first) = views.first() else {
        return Err(d.error("no finger views to write"));
    };
    let count = u8::try_from(views.len()).map_err(|_| {
        d.error(format!(
            "{} finger views: a record holds 255 at most",
            views.len()
        ))
    })?;
    let side = |pixels: u32, what: &str| {
        u16::try_from(pixels)
            .map_err(|_| d.error(format!("image {what} {pixels} px exceeds the 16-bit field")))
    };
    let shape = (first.width, first.height, ppi_to_ppcm(first.ppi, d)?);
    w.u16(side(first.width, "width")?);
    w.u16(side(first.height, "height")?);
    w.u16(shape.2);
    w.u16(shape.2);
    w.u8(count);
    w.u8(0);
    let mut views_of_finger = [0u8; FingerPosition::ALL.len()];
    for (i, view) in views.iter().enumerate() {
        let context = |e| in_context(e, format_args!("view {}", i + 1));
        let view_shape = (
            view.width,
            view.height,
            ppi_to_ppcm(view.ppi, d).map_err(context)?,
        );
        if view_shape != shape {
            return Err(context(d.error(format!(
                "image {}×{} px at {} px/cm differs from view 1's {}×{} px at {} px/cm, \
                 but a record has one image size and resolution",
                view_shape.0, view_shape.1, view_shape.2, shape.0, shape.1, shape.2
            ))));
        }
        let finger = view.finger.unwrap_or(FingerPosition::Unknown);
        let number = &mut views_of_finger[usize::from(finger.code())];
        write_view(w, view, *number, d).map_err(context)?;
        *number += 1;
    }
    Ok(())
}

fn write_view(w: &mut Writer, view: &Template, number: u8, d: &Dialect) -> Result<()> {
    let finger = view.finger.unwrap_or(FingerPosition::Unknown);
    if number > 15 {
        return Err(d.error(format!(
            "a 17th view of finger {finger:?}: the view number field has 4 bits"
        )));
    }
    let count = u8::try_from(view.minutiae.len()).map_err(|_| {
        d.error(format!(
            "{} minutiae: a view holds 255 at most",
            view.minutiae.len()
        ))
    })?;
    w.u8(finger.code());
    w.u8(number << 4); // impression type 0: live-scan plain
    w.u8(view.quality.unwrap_or(0));
    w.u8(count);
    for (i, m) in view.minutiae.iter().enumerate() {
        write_minutia(w, m, d).map_err(|e| in_context(e, format_args!("minutia {}", i + 1)))?;
    }
    w.u16(0); // no extended data
    Ok(())
}

fn write_minutia(w: &mut Writer, m: &Minutia, d: &Dialect) -> Result<()> {
    let coordinate = |value: f32, axis: &str| {
        let rounded = value.round();
        if (0.0..=MAX_COORDINATE).contains(&rounded) {
            Ok(rounded as u16)
        } else {
            Err(d.error(format!(
                "{axis} = {value} does not fit the 14-bit coordinate field (0–16383)"
            )))
        }
    };
    let kind: u16 = match m.kind {
        MinutiaKind::Ending => 0b01,
        MinutiaKind::Bifurcation => 0b10,
        MinutiaKind::Other => 0b00,
    };
    let steps = f64::from(m.direction).to_degrees() / d.angle_unit();
    let angle = steps.round().rem_euclid(f64::from(d.angle_steps)) as u8;
    w.u16(kind << 14 | coordinate(m.x, "x")?);
    w.u16(coordinate(m.y, "y")?);
    w.u8(angle);
    w.u8(m.quality);
    Ok(())
}

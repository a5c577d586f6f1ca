//! `galton audit verify`, `audit show` and `audit receipt`: the audit trail of a gallery, as
//! an inspector checks it.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Subcommand};
use galton::gallery::store::{AuditEntry, Receipt, ReceiptStatus, Store};

use super::Access;

/// Exit code of `audit verify` for a broken chain and of `audit receipt` for a receipt that
/// does not check.
pub const BROKEN: u8 = 2;

/// The audit commands.
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check the whole hash chain: exit 0 if intact, 2 with the first broken row's number
    /// and the reason.
    Verify(VerifyArgs),
    /// List a subject's history: every enrollment, update, removal and verification.
    Show(ShowArgs),
    /// Check a receipt (GR1-…) against the trail: exit 0 if its row is there, hashes as the
    /// receipt says and the chain up to it is intact, 2 otherwise.
    Receipt(ReceiptArgs),
}

/// Arguments of `galton audit verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The gallery database.
    #[arg(long, value_name = "FILE")]
    pub db: PathBuf,
    #[command(flatten)]
    pub access: Access,
    /// Print the report as one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `galton audit show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The gallery database.
    #[arg(long, value_name = "FILE")]
    pub db: PathBuf,
    #[command(flatten)]
    pub access: Access,
    /// The subject's id.
    #[arg(long)]
    pub id: String,
    /// Print a JSON array of rows.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `galton audit receipt`.
#[derive(Debug, Args)]
pub struct ReceiptArgs {
    /// The gallery database.
    #[arg(long, value_name = "FILE")]
    pub db: PathBuf,
    #[command(flatten)]
    pub access: Access,
    /// The receipt, as printed at enrollment: GR1-<number>-<32 hex digits>.
    pub receipt: String,
    /// Print the result as one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// Opens the store only (no search structures to build): the trail is all these read.
fn open_store(db: &std::path::Path, access: &Access) -> anyhow::Result<Store> {
    if !db.exists() {
        anyhow::bail!("{}: no such gallery database", db.display());
    }
    Store::open_with(db, &access.options()?)
        .with_context(|| format!("cannot open the gallery {}", db.display()))
}

/// Runs an audit command.
pub fn run(command: &AuditCommand) -> anyhow::Result<ExitCode> {
    match command {
        AuditCommand::Verify(args) => verify(args),
        AuditCommand::Show(args) => show(args),
        AuditCommand::Receipt(args) => receipt(args),
    }
}

fn verify(args: &VerifyArgs) -> anyhow::Result<ExitCode> {
    let store = open_store(&args.db, &args.access)?;
    let report = store.verify_audit()?;
    if args.json {
        let mut value = serde_json::to_value(&report)?;
        value["intact"] = report.is_intact().into();
        println!("{value}");
    }
    match &report.broken {
        None => {
            if !args.json {
                println!(
                    "audit trail intact: {} rows, head {}",
                    report.rows,
                    report.head.as_deref().unwrap_or("(empty)")
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(b) => {
            eprintln!(
                "galton: audit trail broken at row {}: {} ({} rows checked)",
                b.seq, b.reason, report.rows
            );
            Ok(ExitCode::from(BROKEN))
        }
    }
}

fn show(args: &ShowArgs) -> anyhow::Result<ExitCode> {
    let store = open_store(&args.db, &args.access)?;
    let rows = store.audit_history(&args.id)?;
    if args.json {
        let out: Vec<serde_json::Value> = rows
            .iter()
            .map(|r| {
                let mut v = serde_json::to_value(r).expect("plain data");
                v["time_utc"] = utc(r.time).into();
                v["receipt"] = r.receipt().map(|r| r.to_string()).into();
                v
            })
            .collect();
        println!("{}", serde_json::Value::Array(out));
        return Ok(ExitCode::SUCCESS);
    }
    if rows.is_empty() {
        eprintln!("galton: no audit rows for {:?}", args.id);
        return Ok(ExitCode::SUCCESS);
    }
    print!("{}", history_table(&rows));
    Ok(ExitCode::SUCCESS)
}

/// The table of `audit show`.
fn history_table(rows: &[AuditEntry]) -> String {
    use std::fmt::Write;
    let mut out = format!(
        "{:>6}  {:<20}  {:<10}  {:<18}  {:<12}  {:<16}  receipt\n",
        "seq", "time (UTC)", "operation", "outcome", "operator", "data hash"
    );
    for r in rows {
        let hash = r
            .data_hash
            .as_deref()
            .map_or("-", |h| &h[..16.min(h.len())]);
        let receipt = r.receipt().map(|r| r.to_string()).unwrap_or_default();
        let _ = writeln!(
            out,
            "{:>6}  {:<20}  {:<10}  {:<18}  {:<12}  {:<16}  {receipt}",
            r.seq,
            utc(r.time),
            r.operation,
            r.outcome,
            r.operator.as_deref().unwrap_or("-"),
            hash
        );
    }
    out
}

fn receipt(args: &ReceiptArgs) -> anyhow::Result<ExitCode> {
    let receipt: Receipt = args.receipt.parse()?;
    let store = open_store(&args.db, &args.access)?;
    let status = store.check_receipt(&receipt)?;
    if args.json {
        println!("{}", serde_json::to_value(&status)?);
    }
    let (ok, text) = match &status {
        ReceiptStatus::Valid { entry } => (
            true,
            format!(
                "receipt {receipt} is valid: row {}, {} {} of {} at {}",
                entry.seq,
                entry.operation,
                entry.outcome,
                entry.subject_id,
                utc(entry.time)
            ),
        ),
        ReceiptStatus::NotInTrail => (
            false,
            format!(
                "receipt {receipt}: no row {} in the audit trail",
                receipt.seq
            ),
        ),
        ReceiptStatus::Mismatch { .. } => (
            false,
            format!(
                "receipt {receipt}: row {} does not hash as the receipt says (a forged \
                 receipt, or a rewritten row)",
                receipt.seq
            ),
        ),
        ReceiptStatus::ChainBroken { at } => (
            false,
            format!(
                "receipt {receipt}: its row matches, but the chain before it is broken at \
                 row {}: {}",
                at.seq, at.reason
            ),
        ),
    };
    if ok {
        if !args.json {
            println!("{text}");
        }
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("galton: {text}");
        Ok(ExitCode::from(BROKEN))
    }
}

/// Seconds since the Unix epoch as `YYYY-MM-DD HH:MM:SS` (UTC).
fn utc(seconds: i64) -> String {
    let (days, rem) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    // Days to a civil date (proleptic Gregorian), by eras of 400 years.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_print_as_utc_dates() {
        assert_eq!(utc(0), "1970-01-01 00:00:00");
        assert_eq!(utc(951_782_400), "2000-02-29 00:00:00");
        assert_eq!(utc(1_796_222_096), "2026-12-02 14:34:56");
        assert_eq!(utc(-1), "1969-12-31 23:59:59");
    }
}

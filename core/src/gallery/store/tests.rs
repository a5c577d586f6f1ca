use super::*;
use crate::face::FaceEmbedding;

/// A fresh file path in its own temp folder, removed on drop.
struct TempFile(PathBuf);

impl TempFile {
    fn new(name: &str) -> TempFile {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let dir = std::env::temp_dir().join(format!(
            "galton-store-unit-{name}-{}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        TempFile(dir)
    }

    fn path(&self) -> PathBuf {
        self.0.join("gallery.db")
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn face_subject(id: &str) -> StoredSubject {
    StoredSubject::new(Subject::new(id).with_face(FaceEmbedding::new(vec![1.0, 2.0, 3.0]).unwrap()))
}

#[test]
fn open_sets_schema_and_durability() {
    let file = TempFile::new("pragmas");
    let store = Store::open(&file.path()).unwrap();
    let pragma = |name: &str| -> i64 {
        store
            .conn
            .pragma_query_value(None, name, |row| row.get(0))
            .unwrap()
    };
    assert_eq!(pragma("application_id"), APPLICATION_ID as i64);
    assert_eq!(pragma("user_version"), SCHEMA_VERSION);
    assert_eq!(pragma("synchronous"), 2, "FULL");
    assert_eq!(pragma("foreign_keys"), 1);
    let mode: String = store
        .conn
        .pragma_query_value(None, "journal_mode", |row| row.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    drop(store);
    // Reopening an up-to-date file changes nothing and works.
    Store::open(&file.path()).unwrap();
}

#[test]
fn verdicts_on_headers() {
    let path = Path::new("g.db");
    assert!(owner_verdict(path, 0, 0, 0).is_ok(), "a new empty database");
    assert!(owner_verdict(path, APPLICATION_ID, SCHEMA_VERSION, 3).is_ok());
    assert!(
        owner_verdict(path, APPLICATION_ID, 0, 0).is_ok(),
        "ours, to migrate"
    );
    let reason = |r: Result<()>| match r {
        Err(Error::Database { reason, .. }) => reason,
        other => panic!("expected a database error, got {other:?}"),
    };
    assert!(reason(owner_verdict(path, 0, 0, 1)).contains("not a galton gallery"));
    assert!(reason(owner_verdict(path, 0, 7, 0)).contains("not a galton gallery"));
    assert!(reason(owner_verdict(path, 42, 0, 0)).contains("0x0000002a"));
    assert!(
        reason(owner_verdict(path, APPLICATION_ID, SCHEMA_VERSION + 1, 3))
            .contains("written by a newer galton")
    );
}

#[test]
fn two_stores_on_one_file_see_each_others_commits() {
    let file = TempFile::new("shared");
    let mut a = Store::open(&file.path()).unwrap();
    let mut b = Store::open(&file.path()).unwrap();
    a.insert(&face_subject("A-1")).unwrap();
    assert!(b.get("A-1").unwrap().is_some());
    b.insert(&face_subject("B-1")).unwrap();
    match a.insert(&face_subject("B-1")) {
        Err(Error::DuplicateId(id)) => assert_eq!(id, "B-1"),
        other => panic!("expected DuplicateId, got {other:?}"),
    }
    let ids: Vec<String> = a
        .load_all()
        .unwrap()
        .into_iter()
        .map(|r| r.subject.id)
        .collect();
    assert_eq!(ids, ["A-1", "B-1"]);
    b.set_setting("face_dim", "3").unwrap();
    assert_eq!(a.setting("face_dim").unwrap().as_deref(), Some("3"));
}

#[test]
fn errors_name_the_file() {
    let file = TempFile::new("missing-dir");
    let path = file.0.join("no-such-folder").join("gallery.db");
    match Store::open(&path) {
        Err(Error::Database { path: p, reason }) => {
            assert_eq!(p, path);
            assert!(reason.starts_with("opening: cannot open"), "{reason}");
        }
        other => panic!("expected a database error, got {other:?}"),
    }
}

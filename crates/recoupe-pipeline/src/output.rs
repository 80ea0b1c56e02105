//! Output files, each written to a temporary file in the output folder and renamed into
//! place only when complete, so a killed run never leaves a truncated file.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::{Error, Result};

/// A file written under a temporary name and renamed to its final name by
/// [`commit`](Self::commit); dropped uncommitted, the temporary file is removed.
pub struct AtomicFile {
    dest: PathBuf,
    tmp: PathBuf,
    writer: Option<BufWriter<File>>,
}

impl AtomicFile {
    /// Starts writing `dest` (its folder must exist).
    pub fn create(dest: &Path) -> Result<Self> {
        let name = dest
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "output".to_owned());
        let tmp = dest.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
        let file = File::create(&tmp).map_err(|source| Error::Output {
            path: tmp.clone(),
            source,
        })?;
        Ok(Self {
            dest: dest.to_path_buf(),
            tmp,
            writer: Some(BufWriter::with_capacity(1 << 16, file)),
        })
    }

    /// The final path.
    pub fn path(&self) -> &Path {
        &self.dest
    }

    fn io_err(&self, source: std::io::Error) -> Error {
        Error::Output {
            path: self.dest.clone(),
            source,
        }
    }

    /// Appends raw bytes.
    pub fn write_all(&mut self, bytes: &[u8]) -> Result<()> {
        let result = match self.writer.as_mut() {
            Some(w) => w.write_all(bytes),
            None => Ok(()),
        };
        result.map_err(|e| self.io_err(e))
    }

    /// Appends one value as a JSON line.
    pub fn write_json_line<T: Serialize>(&mut self, value: &T) -> Result<()> {
        let mut line = serde_json::to_vec(value)
            .map_err(|e| self.io_err(std::io::Error::new(std::io::ErrorKind::InvalidData, e)))?;
        line.push(b'\n');
        self.write_all(&line)
    }

    /// Flushes, syncs and renames the file into place.
    pub fn commit(mut self) -> Result<()> {
        if let Some(writer) = self.writer.take() {
            let file = writer.into_inner().map_err(|e| Error::Output {
                path: self.dest.clone(),
                source: e.into_error(),
            })?;
            file.sync_all().map_err(|e| self.io_err(e))?;
        }
        std::fs::rename(&self.tmp, &self.dest).map_err(|e| self.io_err(e))
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.writer.take().is_some() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// Commits a run's files in order. The last one is the run's marker (`run.json`): its
/// old version is removed before the first rename and the new one renamed in last, so a
/// run killed between two renames leaves no marker, and a folder holding a marker holds
/// only files of the run it describes. Temporary files left by killed runs (their
/// process is gone) are removed afterwards.
pub fn commit_set(dir: &Path, files: Vec<AtomicFile>) -> Result<()> {
    if let Some(marker) = files.last() {
        match std::fs::remove_file(&marker.dest) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(marker.io_err(e)),
        }
    }
    for f in files {
        f.commit()?;
    }
    remove_stale_temps(dir);
    Ok(())
}

/// Removes `.NAME.tmp-PID` files of processes that no longer run (Linux: `/proc/PID`;
/// elsewhere nothing is removed). Best effort: a file that cannot be removed stays.
fn remove_stale_temps(dir: &Path) {
    let proc = Path::new("/proc");
    if !proc.join("self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name
            .strip_prefix('.')
            .and_then(|n| n.rsplit_once(".tmp-"))
            .map(|(_, pid)| pid)
        else {
            continue;
        };
        if pid.parse::<u32>().is_ok() && !proc.join(pid).exists() {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Writes a CSV file atomically from a header and rows of strings.
pub fn write_csv(dest: &Path, header: &[&str], rows: &[Vec<String>]) -> Result<AtomicFile> {
    let mut file = AtomicFile::create(dest)?;
    let mut buf = Vec::new();
    {
        let mut w = csv::Writer::from_writer(&mut buf);
        let to_io = |e: csv::Error| std::io::Error::other(e.to_string());
        w.write_record(header).map_err(|e| file.io_err(to_io(e)))?;
        for row in rows {
            w.write_record(row).map_err(|e| file.io_err(to_io(e)))?;
        }
        w.flush().map_err(|e| file.io_err(e))?;
    }
    file.write_all(&buf)?;
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uncommitted_file_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("a.jsonl");
        {
            let mut f = AtomicFile::create(&dest).unwrap();
            f.write_json_line(&serde_json::json!({"x": 1})).unwrap();
        }
        assert!(!dest.exists());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn committed_file_is_complete() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("a.jsonl");
        std::fs::write(&dest, "old\n").unwrap();
        let mut f = AtomicFile::create(&dest).unwrap();
        f.write_json_line(&serde_json::json!({"x": 1})).unwrap();
        assert_eq!(std::fs::read_to_string(&dest).unwrap(), "old\n");
        f.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&dest).unwrap(), "{\"x\":1}\n");
    }

    #[test]
    fn commit_set_writes_the_marker_last_and_clears_stale_temps() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("run.json"), "old").unwrap();
        // A temp file of a process that cannot exist (pid above pid_max), and one of ours.
        std::fs::write(dir.path().join(".a.jsonl.tmp-4294967295"), "torn").unwrap();
        let mut a = AtomicFile::create(&dir.path().join("a.jsonl")).unwrap();
        a.write_all(b"{}\n").unwrap();
        let mut run = AtomicFile::create(&dir.path().join("run.json")).unwrap();
        run.write_all(b"new").unwrap();
        commit_set(dir.path(), vec![a, run]).unwrap();
        let mut names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["a.jsonl", "run.json"]);
        assert_eq!(
            std::fs::read_to_string(dir.path().join("run.json")).unwrap(),
            "new"
        );
    }

    #[test]
    fn csv_quotes_fields() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("a.csv");
        write_csv(
            &dest,
            &["id", "text"],
            &[vec!["1".into(), "a, \"b\"".into()]],
        )
        .unwrap()
        .commit()
        .unwrap();
        assert_eq!(
            std::fs::read_to_string(&dest).unwrap(),
            "id,text\n1,\"a, \"\"b\"\"\"\n"
        );
    }
}

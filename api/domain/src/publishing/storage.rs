//! Where uploaded files live. Files are content-addressed (named by their SHA-256), so the same
//! bytes are stored once and a stored file never changes. [`DiskStore`] keeps them under a
//! directory; another store (S3-compatible) implements [`AssetStore`].

use std::io::Write;
use std::path::PathBuf;

pub trait AssetStore: Send + Sync {
    /// Stores `bytes` under `sha256` (nothing to do when it is there already).
    fn put(&self, sha256: &str, bytes: &[u8]) -> std::io::Result<()>;
    fn get(&self, sha256: &str) -> std::io::Result<Vec<u8>>;
}

/// Files under a directory: `<root>/<first two hex digits>/<sha256>`.
#[derive(Debug, Clone)]
pub struct DiskStore {
    root: PathBuf,
}

impl DiskStore {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    fn path(&self, sha256: &str) -> std::io::Result<PathBuf> {
        // The name is ours (a hex digest), but a path is built from it: check it all the same.
        if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "not a SHA-256 digest",
            ));
        }
        Ok(self.root.join(&sha256[..2]).join(sha256))
    }
}

impl AssetStore for DiskStore {
    fn put(&self, sha256: &str, bytes: &[u8]) -> std::io::Result<()> {
        let path = self.path(sha256)?;
        if path.exists() {
            return Ok(());
        }
        let dir = path.parent().expect("a file under a directory");
        std::fs::create_dir_all(dir)?;
        // Written whole under another name, then renamed: a reader never sees half a file.
        let temp = dir.join(format!("{sha256}.{}.part", rand::random::<u64>()));
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temp, &path)
    }

    fn get(&self, sha256: &str) -> std::io::Result<Vec<u8>> {
        std::fs::read(self.path(sha256)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_kept_by_their_digest_once() {
        let dir = std::env::temp_dir().join(format!("assets-{}", rand::random::<u64>()));
        let store = DiskStore::new(&dir);
        let digest = "ab".repeat(32);
        store.put(&digest, b"bytes").expect("stored");
        store.put(&digest, b"bytes").expect("stored again");
        assert_eq!(store.get(&digest).expect("read"), b"bytes");
        assert!(dir.join("ab").join(&digest).is_file());
        assert!(store.get("../../etc/passwd").is_err());
        std::fs::remove_dir_all(dir).expect("cleaned");
    }
}

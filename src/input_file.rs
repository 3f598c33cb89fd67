//! Ground floor: reading a pack or deploy config file with a size cap, so `--pack /dev/zero`
//! or a huge file is refused instead of read until memory runs out, and a UTF-8 BOM (what some
//! Windows editors write) is accepted.

use std::fmt;
use std::io::Read;
use std::path::Path;

/// Packs and deploy configs are small; anything bigger is the wrong file.
pub const MAX_BYTES: u64 = 16 * 1024 * 1024;

#[derive(Debug)]
pub enum ReadError {
    Io(std::io::Error),
    TooLarge { bytes: Option<u64> },
    NotUtf8 { offset: usize },
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cap = MAX_BYTES / (1024 * 1024);
        match self {
            Self::Io(e) => write!(f, "cannot read the file: {e}"),
            Self::TooLarge { bytes: Some(b) } => write!(
                f,
                "the file is {:.1} MB, over the {cap} MB limit for packs and deploy configs; it was not read",
                *b as f64 / (1024.0 * 1024.0)
            ),
            Self::TooLarge { bytes: None } => write!(
                f,
                "the file holds more than the {cap} MB limit for packs and deploy configs; reading stopped there"
            ),
            Self::NotUtf8 { offset } => {
                write!(
                    f,
                    "the file is not UTF-8 text (invalid byte at offset {offset})"
                )
            }
        }
    }
}

impl ReadError {
    pub fn hint(&self) -> Option<&'static str> {
        match self {
            Self::Io(_) => None,
            Self::TooLarge { .. } => {
                Some("check the path: a pack (*.pack.json) or deploy config is a few KB of JSON")
            }
            Self::NotUtf8 { .. } => Some("save the file as UTF-8"),
        }
    }
}

/// Reads at most [`MAX_BYTES`]: the size is checked first, and the read itself is capped for
/// devices and pipes whose size says nothing.
pub fn read_text(path: &Path) -> Result<String, ReadError> {
    let file = std::fs::File::open(path).map_err(ReadError::Io)?;
    let meta = file.metadata().map_err(ReadError::Io)?;
    if meta.is_file() && meta.len() > MAX_BYTES {
        return Err(ReadError::TooLarge {
            bytes: Some(meta.len()),
        });
    }
    let mut bytes = Vec::new();
    file.take(MAX_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > MAX_BYTES {
        return Err(ReadError::TooLarge { bytes: None });
    }
    let mut text = String::from_utf8(bytes).map_err(|e| ReadError::NotUtf8 {
        offset: e.utf8_error().valid_up_to(),
    })?;
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn an_endless_device_is_refused_at_the_cap() {
        let e = read_text(Path::new("/dev/zero")).unwrap_err();
        assert!(matches!(e, ReadError::TooLarge { bytes: None }), "{e}");
        assert!(e.to_string().contains("16 MB"), "{e}");
    }

    #[test]
    fn a_big_file_is_refused_before_reading_and_a_bom_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big.json");
        std::fs::File::create(&big)
            .unwrap()
            .set_len(MAX_BYTES + 1)
            .unwrap();
        let e = read_text(&big).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("the file is 16.0 MB, over the 16 MB limit"),
            "{e}"
        );
        let bom = dir.path().join("bom.json");
        std::fs::write(&bom, "\u{feff}{\"a\": 1}").unwrap();
        assert_eq!(read_text(&bom).unwrap(), "{\"a\": 1}");
        std::fs::write(&bom, b"{\xff}").unwrap();
        assert!(matches!(
            read_text(&bom),
            Err(ReadError::NotUtf8 { offset: 1 })
        ));
    }
}

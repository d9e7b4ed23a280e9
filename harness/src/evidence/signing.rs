//! Ed25519 keys that sign evidence folders: generating a key pair, and reading key files.
//!
//! Key files are small text files, so that a public key can be read aloud, pasted into a
//! ticket or compared with the `public_key` of a manifest by eye:
//!
//! ```text
//! ovcert ed25519 private key v1        ovcert ed25519 public key v1
//! <64 hex digits: the 32-byte seed>    <64 hex digits: the 32-byte public key>
//! ```
//!
//! `keygen FILE` writes the private key to FILE (mode 0600 on Unix) and the public key to
//! `FILE.pub`, and refuses to overwrite either: a lost private key cannot be recovered, and a
//! replaced one would silently change who signs.

use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

pub use ed25519_dalek::{Signature, SigningKey, VerifyingKey};

/// The first line of a private key file.
pub const PRIVATE_KEY_HEADER: &str = "ovcert ed25519 private key v1";
/// The first line of a public key file.
pub const PUBLIC_KEY_HEADER: &str = "ovcert ed25519 public key v1";
/// Key files are two short lines; anything much longer is not a key file.
const MAX_KEY_FILE_BYTES: u64 = 4096;

/// Which kind of key file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    Private,
    Public,
}

impl KeyKind {
    fn header(self) -> &'static str {
        match self {
            KeyKind::Private => PRIVATE_KEY_HEADER,
            KeyKind::Public => PUBLIC_KEY_HEADER,
        }
    }
}

impl fmt::Display for KeyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KeyKind::Private => "private",
            KeyKind::Public => "public",
        })
    }
}

/// A key file that could not be written or read: which file and what is wrong.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error(
        "{}: already exists; a key file is never overwritten (choose another name, or remove the old key pair deliberately)",
        .path.display()
    )]
    Exists { path: PathBuf },
    #[error("{}: {action}: {source}", .path.display())]
    Io {
        path: PathBuf,
        action: &'static str,
        source: io::Error,
    },
    #[error("cannot draw a random key from the operating system: {reason}")]
    Entropy { reason: String },
    #[error("{}: not an ovcert {expected} key file: {reason}", .path.display())]
    Format {
        path: PathBuf,
        expected: KeyKind,
        reason: String,
    },
}

/// A key pair `keygen` wrote: where, and the public key as manifests show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKeyText {
    pub private_key_file: PathBuf,
    pub public_key_file: PathBuf,
    /// The public key in lowercase hex (64 digits), as in a manifest's `public_key`.
    pub hex: String,
}

impl fmt::Display for PublicKeyText {
    /// The public key in hex.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.hex)
    }
}

/// Generates a key pair from the operating system's entropy: the private key in `out`
/// (mode 0600), the public key in `out` + ".pub". Refuses when either file exists.
pub fn keygen(out: &Path) -> Result<PublicKeyText, KeyError> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| KeyError::Entropy {
        reason: e.to_string(),
    })?;
    write_key_pair(out, &SigningKey::from_bytes(&seed))
}

/// The public key file that belongs to a private key file: `signing.key` → `signing.key.pub`.
pub fn public_key_path(private_key_file: &Path) -> PathBuf {
    let mut name = private_key_file.as_os_str().to_owned();
    name.push(".pub");
    PathBuf::from(name)
}

/// Writes `key` as a key pair (see [`keygen`]). Both files are checked before either is
/// written; the private key is created exclusively, so a file that appears meanwhile is not
/// overwritten either.
pub fn write_key_pair(out: &Path, key: &SigningKey) -> Result<PublicKeyText, KeyError> {
    let public_key_file = public_key_path(out);
    for path in [out, public_key_file.as_path()] {
        if fs::symlink_metadata(path).is_ok() {
            return Err(KeyError::Exists {
                path: path.to_path_buf(),
            });
        }
    }
    let hex = public_key_hex(&key.verifying_key());
    let private_text = key_file_text(KeyKind::Private, &to_hex(key.as_bytes()));
    write_new(out, &private_text, 0o600)?;
    if let Err(e) = write_new(
        &public_key_file,
        &key_file_text(KeyKind::Public, &hex),
        0o644,
    ) {
        // Half a key pair is worse than none: the next keygen would refuse the private file.
        let _ = fs::remove_file(out);
        return Err(e);
    }
    Ok(PublicKeyText {
        private_key_file: out.to_path_buf(),
        public_key_file,
        hex,
    })
}

fn key_file_text(kind: KeyKind, hex: &str) -> String {
    format!("{}\n{hex}\n", kind.header())
}

/// Creates `path` exclusively with `mode` (Unix) and writes `text`.
fn write_new(path: &Path, text: &str, mode: u32) -> Result<(), KeyError> {
    let io = |action| {
        move |source: io::Error| match source.kind() {
            io::ErrorKind::AlreadyExists => KeyError::Exists {
                path: path.to_path_buf(),
            },
            _ => KeyError::Io {
                path: path.to_path_buf(),
                action,
                source,
            },
        }
    };
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, mode);
    #[cfg(not(unix))]
    let _ = mode;
    let mut file = options.open(path).map_err(io("creating"))?;
    file.write_all(text.as_bytes()).map_err(io("writing"))?;
    file.sync_all().map_err(io("writing"))
}

/// Reads a private key file written by [`keygen`].
pub fn load_signing_key(path: &Path) -> Result<SigningKey, KeyError> {
    let seed = read_key_file(path, KeyKind::Private)?;
    Ok(SigningKey::from_bytes(&seed))
}

/// Reads a public key file written by [`keygen`] (`FILE.pub`).
pub fn load_verifying_key(path: &Path) -> Result<VerifyingKey, KeyError> {
    let bytes = read_key_file(path, KeyKind::Public)?;
    VerifyingKey::from_bytes(&bytes).map_err(|_| KeyError::Format {
        path: path.to_path_buf(),
        expected: KeyKind::Public,
        reason: "the 32 bytes are not a point of the ed25519 curve".into(),
    })
}

fn read_key_file(path: &Path, expected: KeyKind) -> Result<[u8; 32], KeyError> {
    let format = |reason: String| KeyError::Format {
        path: path.to_path_buf(),
        expected,
        reason,
    };
    let io = |action| {
        move |source| KeyError::Io {
            path: path.to_path_buf(),
            action,
            source,
        }
    };
    let size = fs::metadata(path).map_err(io("reading"))?.len();
    if size > MAX_KEY_FILE_BYTES {
        return Err(format(format!(
            "{size} bytes; a key file is two lines of at most 64 characters"
        )));
    }
    let mut text = String::new();
    io::Read::read_to_string(&mut File::open(path).map_err(io("reading"))?, &mut text).map_err(
        |e| match e.kind() {
            io::ErrorKind::InvalidData => format("not UTF-8 text".into()),
            _ => io("reading")(e),
        },
    )?;
    let mut lines = text.lines().map(str::trim_end);
    let header = lines.next().unwrap_or_default();
    if header != expected.header() {
        let other = match expected {
            KeyKind::Private => KeyKind::Public,
            KeyKind::Public => KeyKind::Private,
        };
        return Err(format(if header == other.header() {
            match expected {
                KeyKind::Private => "this is a public key file; signing needs the private key file (the one without .pub)".into(),
                KeyKind::Public => "this is a private key file; give its public key file (FILE.pub) instead, and keep the private key secret".into(),
            }
        } else {
            format!("line 1 must be \"{}\"", expected.header())
        }));
    }
    let hex = lines.next().unwrap_or_default();
    let bytes = from_hex::<32>(hex).map_err(|why| format(format!("line 2: {why}")))?;
    if let Some((n, extra)) = lines.enumerate().find(|(_, l)| !l.is_empty()) {
        return Err(format(format!(
            "line {}: unexpected text after the key ({} characters)",
            n + 3,
            extra.len()
        )));
    }
    Ok(bytes)
}

/// A verifying key in hex, as manifests carry it.
pub fn public_key_hex(key: &VerifyingKey) -> String {
    to_hex(key.as_bytes())
}

/// Parses a manifest's `public_key`.
pub fn parse_public_key_hex(text: &str) -> Result<VerifyingKey, String> {
    let bytes = from_hex::<32>(text)?;
    VerifyingKey::from_bytes(&bytes)
        .map_err(|_| "the 32 bytes are not a point of the ed25519 curve".to_string())
}

/// Lowercase hex, two digits per byte.
pub(crate) fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        text.push(char::from(DIGITS[usize::from(byte >> 4)]));
        text.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    text
}

/// Exactly `N` bytes from hex (either case); the error says what is wrong and where.
pub(crate) fn from_hex<const N: usize>(text: &str) -> Result<[u8; N], String> {
    if text.len() != 2 * N {
        return Err(format!(
            "expected {} hex digits ({N} bytes), got {} characters",
            2 * N,
            text.chars().count()
        ));
    }
    let mut bytes = [0u8; N];
    let digit = |position: usize, c: u8| {
        char::from(c).to_digit(16).map(|d| d as u8).ok_or_else(|| {
            format!(
                "the character at position {} is not a hex digit",
                position + 1
            )
        })
    };
    for (i, pair) in text.as_bytes().chunks_exact(2).enumerate() {
        bytes[i] = digit(2 * i, pair[0])? << 4 | digit(2 * i + 1, pair[1])?;
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::manifest::test_support::TempDir;

    #[test]
    fn a_key_pair_round_trips_and_is_never_overwritten() {
        let dir = TempDir::new("keygen");
        let out = dir.path().join("signing.key");
        let written = keygen(&out).unwrap();
        assert_eq!(written.public_key_file, dir.path().join("signing.key.pub"));
        let private = load_signing_key(&out).unwrap();
        let public = load_verifying_key(&written.public_key_file).unwrap();
        assert_eq!(private.verifying_key(), public);
        assert_eq!(public_key_hex(&public), written.hex);
        assert_eq!(parse_public_key_hex(&written.hex).unwrap(), public);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = fs::metadata(&out).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "{mode:o}");
        }
        let before = fs::read(&out).unwrap();
        let e = keygen(&out).unwrap_err();
        assert!(matches!(e, KeyError::Exists { .. }), "{e}");
        assert!(e.to_string().contains("signing.key: already exists"), "{e}");
        assert_eq!(fs::read(&out).unwrap(), before);
        // Only the public half left over: still refused, and nothing is written.
        let lonely = dir.path().join("other.key");
        fs::write(public_key_path(&lonely), "x").unwrap();
        let e = keygen(&lonely).unwrap_err();
        assert!(
            e.to_string().contains("other.key.pub: already exists"),
            "{e}"
        );
        assert!(!lonely.exists());
    }

    #[test]
    fn two_keys_differ() {
        let dir = TempDir::new("keygen-twice");
        let a = keygen(&dir.path().join("a")).unwrap();
        let b = keygen(&dir.path().join("b")).unwrap();
        assert_ne!(a.hex, b.hex);
    }

    /// Writes `text` to a file and loads it as `kind`; the error's text, or "ok".
    fn check(kind: KeyKind, text: impl AsRef<[u8]>, expected: &str) {
        let text = text.as_ref();
        let dir = TempDir::new("key-file");
        let path = dir.path().join("key");
        fs::write(&path, text).unwrap();
        let got = match kind {
            KeyKind::Private => load_signing_key(&path).map(|_| ()),
            KeyKind::Public => load_verifying_key(&path).map(|_| ()),
        };
        let got = match got {
            Ok(()) => "ok".to_string(),
            Err(e) => e.to_string().replace(&path.display().to_string(), "KEY"),
        };
        assert_eq!(got, expected, "{:?}", String::from_utf8_lossy(text));
    }

    #[test]
    fn key_files_say_what_is_wrong() {
        let key = SigningKey::from_bytes(&[7; 32]);
        let seed = to_hex(key.as_bytes());
        let public = public_key_hex(&key.verifying_key());
        let private_file = key_file_text(KeyKind::Private, &seed);
        let public_file = key_file_text(KeyKind::Public, &public);
        check(KeyKind::Private, &private_file, "ok");
        check(KeyKind::Private, private_file.replace('\n', "\r\n"), "ok");
        check(KeyKind::Public, &public_file, "ok");
        check(
            KeyKind::Public,
            format!("{PUBLIC_KEY_HEADER}\n{}", public.to_uppercase()),
            "ok",
        );
        check(
            KeyKind::Private,
            &public_file,
            "KEY: not an ovcert private key file: this is a public key file; signing needs the private key file (the one without .pub)",
        );
        check(
            KeyKind::Public,
            &private_file,
            "KEY: not an ovcert public key file: this is a private key file; give its public key file (FILE.pub) instead, and keep the private key secret",
        );
        check(
            KeyKind::Private,
            "-----BEGIN PRIVATE KEY-----\n",
            "KEY: not an ovcert private key file: line 1 must be \"ovcert ed25519 private key v1\"",
        );
        check(
            KeyKind::Private,
            format!("{PRIVATE_KEY_HEADER}\n{}\n", &seed[..62]),
            "KEY: not an ovcert private key file: line 2: expected 64 hex digits (32 bytes), got 62 characters",
        );
        check(
            KeyKind::Private,
            format!("{PRIVATE_KEY_HEADER}\n{}zz\n", &seed[..62]),
            "KEY: not an ovcert private key file: line 2: the character at position 63 is not a hex digit",
        );
        check(
            KeyKind::Private,
            format!("{private_file}\nmore\n"),
            "KEY: not an ovcert private key file: line 4: unexpected text after the key (4 characters)",
        );
        check(
            KeyKind::Private,
            b"\xff\xfe",
            "KEY: not an ovcert private key file: not UTF-8 text",
        );
    }

    #[test]
    fn a_missing_key_file_is_named() {
        let dir = TempDir::new("key-missing");
        let path = dir.path().join("absent.key");
        let e = load_signing_key(&path).unwrap_err();
        assert!(
            e.to_string()
                .starts_with(&format!("{}: reading: ", path.display())),
            "{e}"
        );
    }
}

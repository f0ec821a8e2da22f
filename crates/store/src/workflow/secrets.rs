//! Encryption at rest for repository access tokens.
//!
//! Tokens are sealed with ChaCha20-Poly1305 (the `ring` implementation, already in the
//! build through rustls) under a 256-bit server key, with a fresh random 96-bit nonce per
//! token and the repository id as associated data, so a sealed token cannot be moved to
//! another repository's row. The stored text is `enc1:` followed by the hex of nonce,
//! ciphertext and tag; the token itself is never written to the database.
//!
//! The key comes from `REDRESS_SECRET_KEY` (64 hex characters) or from a key file generated
//! once under the data directory (`secret.key`, created with mode 0600). Losing the key makes
//! the stored tokens unreadable: the error says so and the tokens have to be entered again.
use std::io::Write as _;
use std::path::Path;

use ring::{
    aead::{self, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey},
    rand::{SecureRandom as _, SystemRandom},
};

use crate::StoreError;

/// The environment variable that can hold the key (64 hex characters).
pub const SECRET_KEY_ENV: &str = "REDRESS_SECRET_KEY";
/// The key file's name inside the data directory.
pub const SECRET_KEY_FILE: &str = "secret.key";
/// What a sealed value starts with.
const SEALED_PREFIX: &str = "enc1:";
const KEY_LEN: usize = 32;

/// The server's 256-bit key for secrets at rest. `Debug` never shows it.
#[derive(Clone)]
pub struct SecretKey([u8; KEY_LEN]);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(***)")
    }
}

/// Errors about the key and sealing: the server's configuration, not the user's input.
fn key_error(message: impl Into<String>) -> StoreError {
    StoreError::invalid("secret_key", message)
}

impl SecretKey {
    /// A key from 64 hex characters (surrounding whitespace ignored).
    pub fn from_hex(text: &str) -> Result<SecretKey, StoreError> {
        let bytes = hex::decode(text.trim())
            .map_err(|e| key_error(format!("must be 64 hex characters: {e}")))?;
        let key: [u8; KEY_LEN] = bytes.try_into().map_err(|b: Vec<u8>| {
            key_error(format!(
                "must be 64 hex characters (32 bytes), got {} bytes",
                b.len()
            ))
        })?;
        Ok(SecretKey(key))
    }

    /// A new random key.
    pub fn generate() -> Result<SecretKey, StoreError> {
        let mut key = [0u8; KEY_LEN];
        SystemRandom::new()
            .fill(&mut key)
            .map_err(|_| key_error("the system random generator failed"))?;
        Ok(SecretKey(key))
    }

    /// The key in `env_value` (the value of [`SECRET_KEY_ENV`]) when given, else the key file
    /// in `data_dir`, created with a new random key (mode 0600) the first time.
    pub fn from_env_or_data_dir(
        env_value: Option<&str>,
        data_dir: &Path,
    ) -> Result<SecretKey, StoreError> {
        match env_value.map(str::trim).filter(|v| !v.is_empty()) {
            Some(value) => {
                SecretKey::from_hex(value).map_err(|e| key_error(format!("{SECRET_KEY_ENV} {e}")))
            }
            None => SecretKey::load_or_create(&data_dir.join(SECRET_KEY_FILE)),
        }
    }

    /// The key stored in `path`, or a new one written there (readable by the owner only).
    pub fn load_or_create(path: &Path) -> Result<SecretKey, StoreError> {
        let io = |what: &str, e: std::io::Error| {
            key_error(format!(
                "cannot {what} the key file {}: {e}",
                path.display()
            ))
        };
        match std::fs::read_to_string(path) {
            Ok(text) => {
                return SecretKey::from_hex(&text)
                    .map_err(|e| key_error(format!("{}: {e}", path.display())));
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io("read", e)),
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| io("create the directory of", e))?;
        }
        let key = SecretKey::generate()?;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        match options.open(path) {
            Ok(mut file) => {
                file.write_all(hex::encode(key.0).as_bytes())
                    .and_then(|()| file.sync_all())
                    .map_err(|e| io("write", e))?;
                Ok(key)
            }
            // Another process created it first: use theirs.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                let text = std::fs::read_to_string(path).map_err(|e| io("read", e))?;
                SecretKey::from_hex(&text)
                    .map_err(|e| key_error(format!("{}: {e}", path.display())))
            }
            Err(e) => Err(io("create", e)),
        }
    }

    fn aead_key(&self) -> Result<LessSafeKey, StoreError> {
        UnboundKey::new(&aead::CHACHA20_POLY1305, &self.0)
            .map(LessSafeKey::new)
            .map_err(|_| key_error("the secret key was refused"))
    }

    /// `plaintext` sealed for the record `context` names (e.g. `repository:12`).
    pub(crate) fn seal(&self, plaintext: &str, context: &str) -> Result<String, StoreError> {
        let mut nonce = [0u8; NONCE_LEN];
        SystemRandom::new()
            .fill(&mut nonce)
            .map_err(|_| key_error("the system random generator failed"))?;
        let mut sealed = plaintext.as_bytes().to_vec();
        self.aead_key()?
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(context.as_bytes()),
                &mut sealed,
            )
            .map_err(|_| key_error("sealing a secret failed"))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok(format!("{SEALED_PREFIX}{}", hex::encode(out)))
    }

    /// The plaintext of `stored`, sealed for `context` by [`SecretKey::seal`]; `what` names
    /// the record in errors.
    pub(crate) fn open(
        &self,
        stored: &str,
        context: &str,
        what: &str,
    ) -> Result<String, StoreError> {
        let unreadable = |why: &str| {
            StoreError::Conflict(format!(
                "the stored access token of {what} cannot be read ({why}); the server's key \
                 ({SECRET_KEY_ENV} or {SECRET_KEY_FILE} in the data directory) may have \
                 changed: register the token again"
            ))
        };
        let Some(body) = stored.strip_prefix(SEALED_PREFIX) else {
            return Err(unreadable("it is not sealed"));
        };
        let bytes = hex::decode(body).map_err(|_| unreadable("it is damaged"))?;
        if bytes.len() < NONCE_LEN + aead::CHACHA20_POLY1305.tag_len() {
            return Err(unreadable("it is too short"));
        }
        let (nonce, sealed) = bytes.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| unreadable("bad nonce"))?;
        let mut sealed = sealed.to_vec();
        let plain = self
            .aead_key()?
            .open_in_place(nonce, Aad::from(context.as_bytes()), &mut sealed)
            .map_err(|_| unreadable("it does not open with this key"))?;
        String::from_utf8(plain.to_vec()).map_err(|_| unreadable("it is not text"))
    }
}

/// Whether a stored value is sealed (older rows held tokens in plain text).
pub(crate) fn is_sealed(stored: &str) -> bool {
    stored.starts_with(SEALED_PREFIX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealing_hides_the_text_and_opens_only_with_the_key_and_context() {
        let key = SecretKey::generate().expect("key");
        let sealed = key.seal("ghp_abc123", "repository:1").expect("seal");
        assert!(is_sealed(&sealed));
        assert!(!sealed.contains("ghp_abc123"));
        let again = key.seal("ghp_abc123", "repository:1").expect("seal");
        assert_ne!(sealed, again, "a fresh nonce every time");
        assert_eq!(
            key.open(&sealed, "repository:1", "r").expect("open"),
            "ghp_abc123"
        );
        let moved = key.open(&sealed, "repository:2", "acme/other").unwrap_err();
        assert!(moved.to_string().contains("acme/other"), "{moved}");
        let other = SecretKey::generate().expect("key");
        let wrong = other
            .open(&sealed, "repository:1", "acme/infra")
            .unwrap_err();
        assert!(
            wrong.to_string().contains("register the token again"),
            "{wrong}"
        );
        assert!(key.open("ghp_plain", "repository:1", "r").is_err());
        assert!(key.open("enc1:zz", "repository:1", "r").is_err());
    }

    #[test]
    fn keys_come_from_hex_or_a_private_file_made_once() {
        assert!(SecretKey::from_hex("00").is_err());
        assert!(SecretKey::from_hex(&"g".repeat(64)).is_err());
        let hex_key = "11".repeat(32);
        let from_env = SecretKey::from_env_or_data_dir(Some(&hex_key), Path::new("/nonexistent"))
            .expect("env key");
        assert_eq!(from_env.0, [0x11; 32]);
        assert_eq!(format!("{from_env:?}"), "SecretKey(***)");

        let dir = tempfile::tempdir().expect("tempdir");
        let first = SecretKey::from_env_or_data_dir(None, dir.path()).expect("created");
        let path = dir.path().join(SECRET_KEY_FILE);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let second = SecretKey::from_env_or_data_dir(Some("  "), dir.path()).expect("read");
        assert_eq!(first.0, second.0, "the file is made once and reused");
        std::fs::write(&path, "not a key").expect("write");
        let err = SecretKey::load_or_create(&path).unwrap_err();
        assert!(err.to_string().contains("secret.key"), "{err}");
    }
}

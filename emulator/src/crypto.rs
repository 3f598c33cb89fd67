//! AES-256-GCM and the bits of randomness the emulator needs.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

pub const NONCE_LEN: usize = 12;

pub fn random_bytes(n: usize) -> Vec<u8> {
    let mut buf = vec![0u8; n];
    if getrandom::fill(&mut buf).is_err() {
        // No OS randomness is not worth failing a local emulator over; fall back to a fresh PRNG.
        let mut rng = fastrand::Rng::new();
        rng.fill(&mut buf);
    }
    buf
}

/// Returns `nonce || ciphertext+tag`.
pub fn seal(key: &[u8], aad: &[u8], plaintext: &[u8]) -> Vec<u8> {
    let cipher = Aes256Gcm::new_from_slice(key).expect("AES-256 keys are 32 bytes");
    let nonce_bytes = random_bytes(NONCE_LEN);
    let nonce = Nonce::try_from(&nonce_bytes[..]).expect("12-byte nonce");
    let ct = cipher
        .encrypt(
            &nonce,
            Payload {
                msg: plaintext,
                aad,
            },
        )
        .expect("AES-GCM encryption of an in-memory buffer cannot fail");
    let mut out = nonce_bytes;
    out.extend_from_slice(&ct);
    out
}

/// Opens `nonce || ciphertext+tag`; `None` when the key, the AAD or the bytes are wrong.
pub fn open(key: &[u8], aad: &[u8], sealed: &[u8]) -> Option<Vec<u8>> {
    if sealed.len() < NONCE_LEN + 16 || key.len() != 32 {
        return None;
    }
    let cipher = Aes256Gcm::new_from_slice(key).ok()?;
    let nonce = Nonce::try_from(&sealed[..NONCE_LEN]).ok()?;
    cipher
        .decrypt(
            &nonce,
            Payload {
                msg: &sealed[NONCE_LEN..],
                aad,
            },
        )
        .ok()
}

pub fn b64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

pub fn unb64(s: &str) -> Option<Vec<u8>> {
    STANDARD.decode(s).ok()
}

pub mod serde_b64 {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::b64(bytes))
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s = String::deserialize(d)?;
        super::unb64(&s).ok_or_else(|| serde::de::Error::custom("invalid base64"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_open_round_trip_and_aad_binding() {
        let key = random_bytes(32);
        let sealed = seal(&key, b"ctx-a", b"secret");
        assert_eq!(
            open(&key, b"ctx-a", &sealed).as_deref(),
            Some(&b"secret"[..])
        );
        assert!(open(&key, b"ctx-b", &sealed).is_none());
        assert!(open(&random_bytes(32), b"ctx-a", &sealed).is_none());
    }
}

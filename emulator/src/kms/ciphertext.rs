//! The emulator's KMS ciphertexts: AES-256-GCM under the key's material, bound to the encryption
//! context, and naming their key so Decrypt can find it.

use std::collections::BTreeMap;

use crate::crypto;
use crate::wire::ApiError;
use crate::world::{Key, WorldState};

use super::keys::{resolve, usable_for_crypto};

/// Canonical encryption context bytes, bound into every ciphertext as AAD.
pub fn context_aad(ctx: &BTreeMap<String, String>) -> Vec<u8> {
    serde_json::to_vec(ctx).expect("string map serialises")
}

const BLOB_MAGIC: &[u8; 4] = b"ACK1";

/// Encrypts under a key's material; the blob names the key so Decrypt can find it, as KMS's does.
pub fn encrypt_raw(key: &Key, plaintext: &[u8], ec: &BTreeMap<String, String>) -> Vec<u8> {
    let mut blob = BLOB_MAGIC.to_vec();
    blob.push(key.key_id.len() as u8);
    blob.extend_from_slice(key.key_id.as_bytes());
    blob.extend_from_slice(&crypto::seal(&key.material, &context_aad(ec), plaintext));
    blob
}

pub fn blob_key_id(blob: &[u8]) -> Option<String> {
    let rest = blob.strip_prefix(BLOB_MAGIC)?;
    let (&len, rest) = rest.split_first()?;
    let id = rest.get(..len as usize)?;
    String::from_utf8(id.to_vec()).ok()
}

fn blob_payload(blob: &[u8]) -> &[u8] {
    let len = blob.get(4).copied().unwrap_or(0) as usize;
    blob.get(5 + len..).unwrap_or_default()
}

pub fn invalid_ciphertext() -> ApiError {
    ApiError::kms("InvalidCiphertextException", "")
}

/// A data key under `key`: (plaintext, ciphertext blob).
pub fn generate_data_key(
    key: &Key,
    ec: &BTreeMap<String, String>,
    len: usize,
) -> (Vec<u8>, Vec<u8>) {
    let plaintext = crypto::random_bytes(len);
    let blob = encrypt_raw(key, &plaintext, ec);
    (plaintext, blob)
}

/// Decrypts a blob with the key it names; Err(InvalidCiphertext) on a wrong context.
pub fn decrypt_blob<'a>(
    world: &'a WorldState,
    region: &str,
    blob: &[u8],
    ec: &BTreeMap<String, String>,
) -> Result<(&'a Key, Vec<u8>), ApiError> {
    let key_id = blob_key_id(blob).ok_or_else(invalid_ciphertext)?;
    let key = resolve(world, region, &key_id)?;
    usable_for_crypto(key)?;
    let plain = crypto::open(&key.material, &context_aad(ec), blob_payload(blob))
        .ok_or_else(invalid_ciphertext)?;
    Ok((key, plain))
}

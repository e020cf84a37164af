//! Cryptography for WeChat Pay APIv3 and the zsxq request signature. Pure: no I/O,
//! no clock (callers pass timestamps and nonces in), shared by the wxpay client and the
//! simulators.
//!
//! - RSA keys: generation (for test keys), PKCS#8 private-key PEM and SPKI public-key PEM
//!   encoding and parsing (PKCS#1 `RSA PUBLIC KEY` PEM is read too).
//! - `SHA256withRSA` (RSASSA-PKCS1-v1_5) signatures, Base64 on the wire.
//! - The WeChat Pay request message (`METHOD\nPATH?QUERY\nTIMESTAMP\nNONCE\nBODY\n`), the
//!   `Authorization: WECHATPAY2-SHA256-RSA2048 …` header (build and parse), and the
//!   response/notification message (`TIMESTAMP\nNONCE\nBODY\n`).
//! - AES-256-GCM for notification resources (key = the 32-byte APIv3 key, nonce = the
//!   12-byte `resource.nonce` string, tag appended to the ciphertext, Base64).
//! - Nonce strings, and the zsxq `x-signature` (`hex(SHA1(url + " " + timestamp + " " + request_id))`).

use std::fmt;

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{self, KeyPair as _, RsaKeyPair, UnparsedPublicKey};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use rand::Rng;
use sha1::Digest as _;

/// The signature scheme named in WeChat Pay `Authorization` headers.
pub const WXPAY_AUTH_SCHEME: &str = "WECHATPAY2-SHA256-RSA2048";

/// Why a cryptographic operation failed. Never carries key material.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    /// The text is not PEM with the expected label.
    #[error("not a PEM block labelled {expected}")]
    PemLabel {
        /// The labels that would have been accepted.
        expected: String,
    },
    /// The PEM body is not valid Base64.
    #[error("the PEM body is not valid Base64")]
    PemBase64,
    /// The DER inside is not a usable RSA key.
    #[error("not a usable RSA {kind} key: {reason}")]
    Key {
        /// `private` or `public`.
        kind: &'static str,
        /// What aws-lc said.
        reason: String,
    },
    /// Key generation failed.
    #[error("RSA key generation failed")]
    KeyGeneration,
    /// Signing failed.
    #[error("RSA signing failed")]
    Sign,
    /// The AES key is not 32 bytes.
    #[error("the APIv3 key must be 32 bytes, found {0}")]
    AesKeyLength(usize),
    /// The GCM nonce is not 12 bytes.
    #[error("the AES-GCM nonce must be 12 bytes, found {0}")]
    NonceLength(usize),
    /// The ciphertext is not valid Base64.
    #[error("the ciphertext is not valid Base64")]
    CiphertextBase64,
    /// Decryption failed: wrong key, nonce, associated data, or a tampered ciphertext.
    #[error("AES-GCM authentication failed (wrong key, nonce or associated data, or tampered ciphertext)")]
    Decrypt,
    /// Encryption failed.
    #[error("AES-GCM encryption failed")]
    Encrypt,
}

// ---- PEM ------------------------------------------------------------------------------------

/// Encodes DER as a PEM block with `label` (64-character lines, trailing newline).
pub fn pem_encode(label: &str, der: &[u8]) -> String {
    let b64 = BASE64.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        // Base64 output is ASCII, so every chunk is valid UTF-8.
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// Decodes the first PEM block whose label is one of `labels`; returns the label and the DER.
pub fn pem_decode(text: &str, labels: &[&str]) -> Result<(String, Vec<u8>), CryptoError> {
    let expected = || CryptoError::PemLabel { expected: labels.join(" or ") };
    for label in labels {
        let begin = format!("-----BEGIN {label}-----");
        let end = format!("-----END {label}-----");
        let Some(start) = text.find(&begin) else { continue };
        let body_start = start + begin.len();
        let Some(stop) = text[body_start..].find(&end) else { return Err(expected()) };
        let body: String = text[body_start..body_start + stop].chars().filter(|c| !c.is_whitespace()).collect();
        let der = BASE64.decode(body.as_bytes()).map_err(|_| CryptoError::PemBase64)?;
        return Ok(((*label).to_string(), der));
    }
    Err(expected())
}

// ---- RSA keys -------------------------------------------------------------------------------

/// An RSA private key (the merchant's API key, or a simulator's platform key).
pub struct RsaPrivateKey {
    pair: RsaKeyPair,
}

impl fmt::Debug for RsaPrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RsaPrivateKey({} bits, redacted)", self.pair.public_modulus_len() * 8)
    }
}

impl RsaPrivateKey {
    /// Generates a fresh 2048-bit key (for tests and simulators).
    pub fn generate() -> Result<RsaPrivateKey, CryptoError> {
        RsaKeyPair::generate(KeySize::Rsa2048)
            .map(|pair| RsaPrivateKey { pair })
            .map_err(|_| CryptoError::KeyGeneration)
    }

    /// Reads a `PRIVATE KEY` (PKCS#8) or `RSA PRIVATE KEY` (PKCS#1) PEM block.
    pub fn from_pem(text: &str) -> Result<RsaPrivateKey, CryptoError> {
        let (label, der) = pem_decode(text, &["PRIVATE KEY", "RSA PRIVATE KEY"])?;
        let pair = if label == "PRIVATE KEY" { RsaKeyPair::from_pkcs8(&der) } else { RsaKeyPair::from_der(&der) };
        pair.map(|pair| RsaPrivateKey { pair }).map_err(|e| CryptoError::Key { kind: "private", reason: e.to_string() })
    }

    /// The key as a PKCS#8 `PRIVATE KEY` PEM block.
    pub fn to_pkcs8_pem(&self) -> Result<String, CryptoError> {
        let der = self
            .pair
            .as_der()
            .map_err(|_| CryptoError::Key { kind: "private", reason: "cannot encode as PKCS#8".into() })?;
        Ok(pem_encode("PRIVATE KEY", der.as_ref()))
    }

    /// The matching public key.
    pub fn public_key(&self) -> Result<RsaPublicKey, CryptoError> {
        let der = self
            .pair
            .public_key()
            .as_der()
            .map_err(|_| CryptoError::Key { kind: "public", reason: "cannot encode as SPKI".into() })?;
        Ok(RsaPublicKey { der: der.as_ref().to_vec() })
    }

    /// `SHA256withRSA` (PKCS#1 v1.5) signature of `message`.
    pub fn sign_sha256(&self, message: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let mut sig = vec![0u8; self.pair.public_modulus_len()];
        let rng = aws_lc_rs::rand::SystemRandom::new();
        self.pair.sign(&signature::RSA_PKCS1_SHA256, &rng, message, &mut sig).map_err(|_| CryptoError::Sign)?;
        Ok(sig)
    }

    /// The same signature, Base64-encoded as WeChat Pay sends it.
    pub fn sign_sha256_base64(&self, message: &[u8]) -> Result<String, CryptoError> {
        self.sign_sha256(message).map(|s| BASE64.encode(s))
    }
}

/// An RSA public key (SPKI DER inside).
#[derive(Clone, PartialEq, Eq)]
pub struct RsaPublicKey {
    der: Vec<u8>,
}

impl fmt::Debug for RsaPublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RsaPublicKey({} DER bytes)", self.der.len())
    }
}

impl RsaPublicKey {
    /// Reads a `PUBLIC KEY` (SPKI) or `RSA PUBLIC KEY` (PKCS#1) PEM block.
    pub fn from_pem(text: &str) -> Result<RsaPublicKey, CryptoError> {
        let (_, der) = pem_decode(text, &["PUBLIC KEY", "RSA PUBLIC KEY"])?;
        let parsed = aws_lc_rs::rsa::PublicKey::from_der(&der)
            .map_err(|e| CryptoError::Key { kind: "public", reason: e.to_string() })?;
        let spki =
            parsed.as_der().map_err(|_| CryptoError::Key { kind: "public", reason: "cannot encode as SPKI".into() })?;
        Ok(RsaPublicKey { der: spki.as_ref().to_vec() })
    }

    /// The key as an SPKI `PUBLIC KEY` PEM block.
    pub fn to_spki_pem(&self) -> String {
        pem_encode("PUBLIC KEY", &self.der)
    }

    /// Whether `signature` is a valid `SHA256withRSA` signature of `message`.
    pub fn verify_sha256(&self, message: &[u8], signature: &[u8]) -> bool {
        UnparsedPublicKey::new(&signature::RSA_PKCS1_2048_8192_SHA256, &self.der).verify(message, signature).is_ok()
    }

    /// Like [`verify_sha256`](Self::verify_sha256) with a Base64 signature (false if it is not Base64).
    pub fn verify_sha256_base64(&self, message: &[u8], signature_b64: &str) -> bool {
        match BASE64.decode(signature_b64.trim()) {
            Ok(sig) => self.verify_sha256(message, &sig),
            Err(_) => false,
        }
    }
}

// ---- WeChat Pay messages and the Authorization header --------------------------------------

/// The string a WeChat Pay request signature covers:
/// `METHOD\nPATH_WITH_QUERY\nTIMESTAMP\nNONCE\nBODY\n` (`body` is empty for GET).
pub fn wxpay_request_message(method: &str, path_with_query: &str, timestamp: i64, nonce: &str, body: &str) -> String {
    format!("{method}\n{path_with_query}\n{timestamp}\n{nonce}\n{body}\n")
}

/// The string a WeChat Pay response or notification signature covers: `TIMESTAMP\nNONCE\nBODY\n`.
pub fn wxpay_response_message(timestamp: &str, nonce: &str, body: &str) -> String {
    format!("{timestamp}\n{nonce}\n{body}\n")
}

/// The parts of a `WECHATPAY2-SHA256-RSA2048` Authorization header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WxpayAuthorization {
    /// Merchant number.
    pub mchid: String,
    /// The request nonce (32 alphanumerics in the official SDK).
    pub nonce_str: String,
    /// Unix seconds, as text.
    pub timestamp: String,
    /// The merchant certificate serial.
    pub serial_no: String,
    /// Base64 signature.
    pub signature: String,
}

/// Why an Authorization header could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AuthHeaderError {
    /// The scheme is not `WECHATPAY2-SHA256-RSA2048`.
    #[error("the Authorization scheme is not {WXPAY_AUTH_SCHEME}")]
    Scheme,
    /// A `key="value"` pair is malformed.
    #[error("malformed Authorization parameter `{0}`")]
    Malformed(String),
    /// A required parameter is missing.
    #[error("the Authorization header lacks `{0}`")]
    Missing(&'static str),
}

impl WxpayAuthorization {
    /// Signs a request: builds the message, signs it with `key`, and returns the header parts.
    #[allow(clippy::too_many_arguments)]
    pub fn sign(
        key: &RsaPrivateKey,
        mchid: &str,
        serial_no: &str,
        method: &str,
        path_with_query: &str,
        timestamp: i64,
        nonce: &str,
        body: &str,
    ) -> Result<WxpayAuthorization, CryptoError> {
        let message = wxpay_request_message(method, path_with_query, timestamp, nonce, body);
        Ok(WxpayAuthorization {
            mchid: mchid.to_string(),
            nonce_str: nonce.to_string(),
            timestamp: timestamp.to_string(),
            serial_no: serial_no.to_string(),
            signature: key.sign_sha256_base64(message.as_bytes())?,
        })
    }

    /// The header value, in the order the official Go SDK emits.
    pub fn to_header(&self) -> String {
        format!(
            "{WXPAY_AUTH_SCHEME} mchid=\"{}\",nonce_str=\"{}\",timestamp=\"{}\",serial_no=\"{}\",signature=\"{}\"",
            self.mchid, self.nonce_str, self.timestamp, self.serial_no, self.signature
        )
    }

    /// Reads a header value; parameter order does not matter, spaces after commas are tolerated.
    pub fn parse(header: &str) -> Result<WxpayAuthorization, AuthHeaderError> {
        let rest = header.trim().strip_prefix(WXPAY_AUTH_SCHEME).ok_or(AuthHeaderError::Scheme)?;
        if !rest.starts_with(' ') {
            return Err(AuthHeaderError::Scheme);
        }
        let (mut mchid, mut nonce, mut ts, mut serial, mut sig) = (None, None, None, None, None);
        for part in rest.split(',') {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            let (k, v) = part.split_once('=').ok_or_else(|| AuthHeaderError::Malformed(part.to_string()))?;
            let v = v
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .ok_or_else(|| AuthHeaderError::Malformed(part.to_string()))?
                .to_string();
            match k.trim() {
                "mchid" => mchid = Some(v),
                "nonce_str" => nonce = Some(v),
                "timestamp" => ts = Some(v),
                "serial_no" => serial = Some(v),
                "signature" => sig = Some(v),
                _ => {}
            }
        }
        Ok(WxpayAuthorization {
            mchid: mchid.ok_or(AuthHeaderError::Missing("mchid"))?,
            nonce_str: nonce.ok_or(AuthHeaderError::Missing("nonce_str"))?,
            timestamp: ts.ok_or(AuthHeaderError::Missing("timestamp"))?,
            serial_no: serial.ok_or(AuthHeaderError::Missing("serial_no"))?,
            signature: sig.ok_or(AuthHeaderError::Missing("signature"))?,
        })
    }

    /// Whether the signature covers this request under `key`.
    pub fn verify(&self, key: &RsaPublicKey, method: &str, path_with_query: &str, body: &str) -> bool {
        let message = format!("{method}\n{path_with_query}\n{}\n{}\n{body}\n", self.timestamp, self.nonce_str);
        key.verify_sha256_base64(message.as_bytes(), &self.signature)
    }
}

// ---- AES-256-GCM (notification resources) ---------------------------------------------------

fn gcm_key(key: &[u8]) -> Result<LessSafeKey, CryptoError> {
    if key.len() != 32 {
        return Err(CryptoError::AesKeyLength(key.len()));
    }
    UnboundKey::new(&AES_256_GCM, key).map(LessSafeKey::new).map_err(|_| CryptoError::AesKeyLength(key.len()))
}

fn gcm_nonce(nonce: &[u8]) -> Result<Nonce, CryptoError> {
    let arr: [u8; 12] = nonce.try_into().map_err(|_| CryptoError::NonceLength(nonce.len()))?;
    Ok(Nonce::assume_unique_for_key(arr))
}

/// Encrypts `plaintext` as a notification resource: returns Base64(ciphertext ‖ 16-byte tag).
pub fn aes_256_gcm_encrypt(key: &[u8], nonce: &[u8], aad: &[u8], plaintext: &[u8]) -> Result<String, CryptoError> {
    let key = gcm_key(key)?;
    let mut buf = plaintext.to_vec();
    key.seal_in_place_append_tag(gcm_nonce(nonce)?, Aad::from(aad), &mut buf).map_err(|_| CryptoError::Encrypt)?;
    Ok(BASE64.encode(buf))
}

/// Decrypts a notification resource: `ciphertext_b64` is Base64(ciphertext ‖ tag).
pub fn aes_256_gcm_decrypt(key: &[u8], nonce: &[u8], aad: &[u8], ciphertext_b64: &str) -> Result<Vec<u8>, CryptoError> {
    let key = gcm_key(key)?;
    let nonce = gcm_nonce(nonce)?;
    let mut buf = BASE64.decode(ciphertext_b64.trim()).map_err(|_| CryptoError::CiphertextBase64)?;
    let plain = key.open_in_place(nonce, Aad::from(aad), &mut buf).map_err(|_| CryptoError::Decrypt)?;
    Ok(plain.to_vec())
}

// ---- nonces and the zsxq signature ---------------------------------------------------------

const ALPHANUMERIC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// A random string of `len` ASCII letters and digits (WeChat Pay nonces are 32 long).
pub fn nonce_str<R: Rng + ?Sized>(rng: &mut R, len: usize) -> String {
    (0..len).map(|_| ALPHANUMERIC[(rng.next_u32() as usize) % ALPHANUMERIC.len()] as char).collect()
}

/// The zsxq `x-signature`: lowercase hex of SHA-1 over `url + " " + timestamp + " " + request_id`,
/// where `url` is the full request URL exactly as sent (scheme, host, path, percent-encoded query).
pub fn zsxq_signature(url: &str, timestamp: &str, request_id: &str) -> String {
    let mut hasher = sha1::Sha1::new();
    hasher.update(url.as_bytes());
    hasher.update(b" ");
    hasher.update(timestamp.as_bytes());
    hasher.update(b" ");
    hasher.update(request_id.as_bytes());
    hex::encode(hasher.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use std::sync::OnceLock;

    fn key() -> &'static RsaPrivateKey {
        static KEY: OnceLock<RsaPrivateKey> = OnceLock::new();
        KEY.get_or_init(|| RsaPrivateKey::generate().unwrap())
    }

    #[test]
    fn pem_round_trip_and_sign_verify() {
        let k = key();
        let pem = k.to_pkcs8_pem().unwrap();
        assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----\n"));
        assert!(pem.lines().all(|l| l.len() <= 64));
        let again = RsaPrivateKey::from_pem(&pem).unwrap();
        let public = k.public_key().unwrap();
        let public_pem = public.to_spki_pem();
        assert!(public_pem.starts_with("-----BEGIN PUBLIC KEY-----\n"));
        assert_eq!(RsaPublicKey::from_pem(&public_pem).unwrap(), public);
        let sig = again.sign_sha256(b"hello").unwrap();
        assert_eq!(sig.len(), 256);
        // PKCS#1 v1.5 is deterministic: the re-read key signs identically.
        assert_eq!(sig, k.sign_sha256(b"hello").unwrap());
        assert!(public.verify_sha256(b"hello", &sig));
        assert!(!public.verify_sha256(b"hellO", &sig));
        let other = RsaPrivateKey::generate().unwrap();
        assert!(!other.public_key().unwrap().verify_sha256(b"hello", &sig));
        assert!(!public.verify_sha256_base64(b"hello", "not base64!"));
    }

    #[test]
    fn pem_errors_name_the_problem() {
        assert_eq!(
            RsaPublicKey::from_pem("garbage").unwrap_err(),
            CryptoError::PemLabel { expected: "PUBLIC KEY or RSA PUBLIC KEY".into() }
        );
        let bad = "-----BEGIN PUBLIC KEY-----\n!!!!\n-----END PUBLIC KEY-----\n";
        assert_eq!(RsaPublicKey::from_pem(bad).unwrap_err(), CryptoError::PemBase64);
        let not_a_key = pem_encode("PUBLIC KEY", b"0123456789");
        assert!(matches!(RsaPublicKey::from_pem(&not_a_key).unwrap_err(), CryptoError::Key { kind: "public", .. }));
        assert!(!format!("{:?}", key()).contains("BEGIN"));
    }

    /// A key made with `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048`, and the
    /// signature `openssl dgst -sha256 -sign` produced for the message below.
    const OPENSSL_KEY: &str = include_str!("../tests/fixtures/crypto/openssl_rsa_key.pem");
    const OPENSSL_PUB: &str = include_str!("../tests/fixtures/crypto/openssl_rsa_pub.pem");
    const OPENSSL_PUB_PKCS1: &str = include_str!("../tests/fixtures/crypto/openssl_rsa_pub_pkcs1.pem");
    const OPENSSL_SIG_B64: &str = include_str!("../tests/fixtures/crypto/openssl_sig.b64");
    const KNOWN_MESSAGE: &str =
        "POST\n/v3/refund/domestic/refunds\n1735689600\nNONCE0123456789abcdefNONCE01234\n{\"out_refund_no\":\"R1\"}\n";

    #[test]
    fn known_answer_matches_openssl() {
        let key = RsaPrivateKey::from_pem(OPENSSL_KEY).unwrap();
        assert_eq!(key.sign_sha256_base64(KNOWN_MESSAGE.as_bytes()).unwrap(), OPENSSL_SIG_B64.trim());
        let public = RsaPublicKey::from_pem(OPENSSL_PUB).unwrap();
        assert!(public.verify_sha256_base64(KNOWN_MESSAGE.as_bytes(), OPENSSL_SIG_B64));
        // The PKCS#1 form of the same public key reads to the same key.
        assert_eq!(RsaPublicKey::from_pem(OPENSSL_PUB_PKCS1).unwrap(), public);
        assert_eq!(key.public_key().unwrap(), public);
    }

    #[test]
    fn authorization_header_round_trip_and_verification() {
        let k = key();
        let body = r#"{"out_refund_no":"R1","amount":{"refund":3900,"total":3900,"currency":"CNY"}}"#;
        let auth = WxpayAuthorization::sign(
            k,
            "1900000001",
            "5157F09EFDC096DE15EBE81A47057A7232F1B8E1",
            "POST",
            "/v3/refund/domestic/refunds",
            1_735_689_600,
            "abc",
            body,
        )
        .unwrap();
        let header = auth.to_header();
        assert!(header.starts_with("WECHATPAY2-SHA256-RSA2048 mchid=\"1900000001\",nonce_str=\"abc\",timestamp="));
        let parsed = WxpayAuthorization::parse(&header).unwrap();
        assert_eq!(parsed, auth);
        let public = k.public_key().unwrap();
        assert!(parsed.verify(&public, "POST", "/v3/refund/domestic/refunds", body));
        assert!(!parsed.verify(&public, "POST", "/v3/refund/domestic/refunds?x=1", body));
        assert!(!parsed.verify(&public, "GET", "/v3/refund/domestic/refunds", body));
        assert!(!parsed.verify(&public, "POST", "/v3/refund/domestic/refunds", &body.replace("3900", "3901")));

        // Order does not matter, spaces after commas are tolerated.
        let shuffled = format!(
            "{WXPAY_AUTH_SCHEME} signature=\"{}\", serial_no=\"S\", timestamp=\"1\", nonce_str=\"n\", mchid=\"m\"",
            auth.signature
        );
        let p = WxpayAuthorization::parse(&shuffled).unwrap();
        assert_eq!((p.mchid.as_str(), p.serial_no.as_str(), p.timestamp.as_str()), ("m", "S", "1"));
        assert_eq!(WxpayAuthorization::parse("Bearer x").unwrap_err(), AuthHeaderError::Scheme);
        assert_eq!(
            WxpayAuthorization::parse(&format!("{WXPAY_AUTH_SCHEME} mchid=\"m\"")).unwrap_err(),
            AuthHeaderError::Missing("nonce_str")
        );
        assert!(matches!(
            WxpayAuthorization::parse(&format!("{WXPAY_AUTH_SCHEME} mchid=m")).unwrap_err(),
            AuthHeaderError::Malformed(_)
        ));
    }

    #[test]
    fn response_message_shape() {
        assert_eq!(wxpay_response_message("1", "n", "{}"), "1\nn\n{}\n");
        assert_eq!(wxpay_request_message("GET", "/v3/x?a=1", 5, "n", ""), "GET\n/v3/x?a=1\n5\nn\n\n");
    }

    /// NIST GCM test vectors (AES-256, 96-bit IV, no AAD): test cases 13 and 14 of
    /// McGrew & Viega, "The Galois/Counter Mode of Operation".
    #[test]
    fn aes_gcm_known_answers() {
        let key = [0u8; 32];
        let iv = [0u8; 12];
        let empty = aes_256_gcm_encrypt(&key, &iv, b"", b"").unwrap();
        assert_eq!(hex::encode(BASE64.decode(empty).unwrap()), "530f8afbc74536b9a963b4f1c4cb738b");
        let one_block = aes_256_gcm_encrypt(&key, &iv, b"", &[0u8; 16]).unwrap();
        assert_eq!(
            hex::encode(BASE64.decode(&one_block).unwrap()),
            "cea7403d4d606b6e074ec5d3baf39d18d0d1c8a799996bf0265b98b5d48ab919"
        );
        assert_eq!(aes_256_gcm_decrypt(&key, &iv, b"", &one_block).unwrap(), vec![0u8; 16]);
    }

    #[test]
    fn aes_gcm_round_trip_and_tamper_detection() {
        let key = b"0123456789abcdefghijklmnopqrstuv";
        let nonce = b"fIIUyrMvbRkf";
        let ct = aes_256_gcm_encrypt(key, nonce, b"refund", "退款成功".as_bytes()).unwrap();
        assert_eq!(aes_256_gcm_decrypt(key, nonce, b"refund", &ct).unwrap(), "退款成功".as_bytes());
        assert_eq!(aes_256_gcm_decrypt(key, nonce, b"other", &ct).unwrap_err(), CryptoError::Decrypt);
        assert_eq!(
            aes_256_gcm_decrypt(b"0123456789abcdefghijklmnopqrstuV", nonce, b"refund", &ct).unwrap_err(),
            CryptoError::Decrypt
        );
        let mut raw = BASE64.decode(&ct).unwrap();
        raw[0] ^= 1;
        assert_eq!(aes_256_gcm_decrypt(key, nonce, b"refund", &BASE64.encode(raw)).unwrap_err(), CryptoError::Decrypt);
        assert_eq!(aes_256_gcm_encrypt(b"short", nonce, b"", b"x").unwrap_err(), CryptoError::AesKeyLength(5));
        assert_eq!(aes_256_gcm_encrypt(key, b"short", b"", b"x").unwrap_err(), CryptoError::NonceLength(5));
        assert_eq!(aes_256_gcm_decrypt(key, nonce, b"", "%%%").unwrap_err(), CryptoError::CiphertextBase64);
    }

    /// Ciphertext produced by Python `cryptography` (AESGCM) for the same inputs.
    #[test]
    fn aes_gcm_matches_python_cryptography() {
        let key = b"0123456789abcdefghijklmnopqrstuv";
        let nonce = b"fIIUyrMvbRkf";
        let plaintext = br#"{"mchid":"1900000001","refund_status":"SUCCESS"}"#;
        let ct = aes_256_gcm_encrypt(key, nonce, b"refund", plaintext).unwrap();
        assert_eq!(ct, include_str!("../tests/fixtures/crypto/python_aesgcm.b64").trim());
    }

    #[test]
    fn nonces_are_alphanumeric_and_seeded() {
        let mut a = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let mut b = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let n = nonce_str(&mut a, 32);
        assert_eq!(n.len(), 32);
        assert!(n.bytes().all(|c| c.is_ascii_alphanumeric()));
        assert_eq!(n, nonce_str(&mut b, 32));
    }

    /// The expected value comes from `printf '%s' '<url> <ts> <id>' | sha1sum`.
    #[test]
    fn zsxq_signature_known_answer() {
        let url = "https://api.zsxq.com/v2/groups/15555411412112/checkins/2424424541/topics?count=20&end_time=2025-12-09T22%3A54%3A37.399%2B0800";
        let sig = zsxq_signature(url, "1765355219", "5b0c7e52-8a8a-4d7b-9a47-0b8f4a9c1d2e");
        assert_eq!(sig, include_str!("../tests/fixtures/crypto/zsxq_sig.hex").trim());
        assert_eq!(sig.len(), 40);
        assert!(sig.bytes().all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c)));
    }
}

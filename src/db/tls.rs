//! TLS as libpq's `sslmode` means it. `disable` never encrypts; `allow` tries without TLS
//! first; `prefer` (the default) tries TLS first; `require` encrypts without checking the
//! certificate, unless a root certificate file is there, when it checks the chain as
//! `verify-ca` does; `verify-ca` checks the chain, `verify-full` the chain and the host
//! name. Roots come from `sslrootcert` (a PEM file, or `system` for the operating system's
//! store, which requires `verify-full`), else `~/.postgresql/root.crt`. A client
//! certificate comes from `sslcert`/`sslkey`, else `~/.postgresql/postgresql.crt`/`.key`
//! when present.

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{CertificateError, ClientConfig, DigitallySignedStruct, SignatureScheme};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio_postgres_rustls::MakeRustlsConnect;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslMode {
    Disable,
    Allow,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

const MODES: [(&str, SslMode); 6] = [
    ("disable", SslMode::Disable),
    ("allow", SslMode::Allow),
    ("prefer", SslMode::Prefer),
    ("require", SslMode::Require),
    ("verify-ca", SslMode::VerifyCa),
    ("verify-full", SslMode::VerifyFull),
];

impl SslMode {
    pub fn as_str(self) -> &'static str {
        MODES
            .iter()
            .find(|(_, m)| *m == self)
            .map_or("prefer", |(n, _)| n)
    }
}

/// A setting's value and what set it (`sslmode`, `PGSSLMODE`…), for error messages.
#[derive(Debug, Clone, PartialEq)]
pub struct Setting {
    pub value: String,
    pub from: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Roots {
    None,
    File(PathBuf),
    System,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ClientCert {
    pub cert: PathBuf,
    pub key: PathBuf,
    /// Whether `sslkey` (or `PGSSLKEY`) named the key, for messages.
    pub key_from: String,
    pub cert_from: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TlsSettings {
    pub mode: SslMode,
    /// `sslmode=verify-full`, `PGSSLMODE=verify-full` or `the default sslmode=prefer`.
    pub mode_from: String,
    pub roots: Roots,
    /// `sslrootcert`, `PGSSLROOTCERT`, or the default file.
    pub roots_from: String,
    pub client: Option<ClientCert>,
}

impl TlsSettings {
    /// No TLS at all.
    pub fn none() -> TlsSettings {
        TlsSettings {
            mode: SslMode::Disable,
            mode_from: "sslmode=disable".into(),
            roots: Roots::None,
            roots_from: String::new(),
            client: None,
        }
    }

    /// Whether the server's chain is checked: always in the verify modes, and in the
    /// weaker ones when a root certificate file is there (libpq's compatibility rule).
    pub fn checks_chain(&self) -> bool {
        matches!(self.mode, SslMode::VerifyCa | SslMode::VerifyFull)
            || (self.mode != SslMode::Disable && matches!(self.roots, Roots::File(_)))
    }
}

/// Reads the TLS settings. `get` gives a key's value (explicit, else its environment
/// variable); `home` is where `~/.postgresql` is.
pub fn settings(
    get: &dyn Fn(&str) -> Option<Setting>,
    home: Option<&Path>,
) -> Result<TlsSettings, String> {
    let root = get("sslrootcert");
    let system = root.as_ref().is_some_and(|r| r.value == "system");
    let (mode, mode_from) = match get("sslmode") {
        Some(s) => match MODES.iter().find(|(n, _)| *n == s.value) {
            Some((_, m)) => (*m, format!("{}={}", s.from, s.value)),
            None => {
                return Err(format!(
                    "invalid {} value \"{}\": expected disable, allow, prefer, require, \
                     verify-ca or verify-full",
                    s.from, s.value
                ));
            }
        },
        // libpq 16: the system's store is only worth something with the host name checked.
        None if system => (SslMode::VerifyFull, "sslrootcert=system".to_string()),
        None => (SslMode::Prefer, "the default sslmode=prefer".to_string()),
    };
    if system && mode != SslMode::VerifyFull {
        return Err(format!(
            "weak {mode_from} may not be used with sslrootcert=system (use \"verify-full\")"
        ));
    }
    let pg_dir = home.map(|h| h.join(".postgresql"));
    let (roots, roots_from) = match root {
        Some(r) if r.value == "system" => (Roots::System, format!("{}=system", r.from)),
        Some(r) if !r.value.is_empty() => (
            Roots::File(PathBuf::from(&r.value)),
            format!("{}={}", r.from, r.value),
        ),
        _ => match pg_dir.as_ref().map(|d| d.join("root.crt")) {
            Some(p) if p.exists() => {
                let from = format!("the default root certificate file {}", p.display());
                (Roots::File(p), from)
            }
            Some(p) => (
                Roots::None,
                format!("the default root certificate file {}", p.display()),
            ),
            None => (
                Roots::None,
                "the default ~/.postgresql/root.crt (no home directory)".to_string(),
            ),
        },
    };
    let given = |key: &str| get(key).filter(|s| !s.value.is_empty());
    let client = match given("sslcert") {
        Some(c) => Some((PathBuf::from(&c.value), format!("{}={}", c.from, c.value))),
        None => pg_dir
            .as_ref()
            .map(|d| d.join("postgresql.crt"))
            .filter(|p| p.exists())
            .map(|p| {
                let from = format!("the default client certificate {}", p.display());
                (p, from)
            }),
    };
    let client = client.map(|(cert, cert_from)| {
        let (key, key_from) = match given("sslkey") {
            Some(k) => (PathBuf::from(&k.value), format!("{}={}", k.from, k.value)),
            None => {
                let p = pg_dir
                    .as_ref()
                    .map(|d| d.join("postgresql.key"))
                    .unwrap_or_else(|| PathBuf::from("postgresql.key"));
                let from = format!("the default client key {}", p.display());
                (p, from)
            }
        };
        ClientCert {
            cert,
            key,
            key_from,
            cert_from,
        }
    });
    Ok(TlsSettings {
        mode,
        mode_from,
        roots,
        roots_from,
        client,
    })
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn load_roots(s: &TlsSettings) -> Result<Option<rustls::RootCertStore>, String> {
    let mut roots = rustls::RootCertStore::empty();
    match &s.roots {
        Roots::None if s.checks_chain() => {
            return Err(format!(
                "{} needs a root certificate, and {} does not exist: provide it, name a CA \
                 file with sslrootcert=FILE, use the system's trusted roots with \
                 sslrootcert=system, or use an sslmode that does not check the certificate",
                s.mode_from, s.roots_from
            ));
        }
        Roots::None => return Ok(None),
        Roots::File(path) => {
            let certs = CertificateDer::pem_file_iter(path).map_err(|e| {
                format!(
                    "cannot read the root certificate file ({}): {e}",
                    s.roots_from
                )
            })?;
            for c in certs {
                let c = c.map_err(|e| {
                    format!(
                        "cannot read the root certificate file ({}): {e}",
                        s.roots_from
                    )
                })?;
                roots
                    .add(c)
                    .map_err(|e| format!("bad root certificate ({}): {e}", s.roots_from))?;
            }
        }
        Roots::System => {
            for cert in rustls_native_certs::load_native_certs().certs {
                let _ = roots.add(cert);
            }
        }
    }
    if roots.is_empty() {
        return Err(format!("no root certificate found ({})", s.roots_from));
    }
    Ok(Some(roots))
}

/// libpq refuses a private key others can read: 0600 or less when the user owns it, 0640
/// or less when root does.
fn check_key_permissions(c: &ClientCert) -> Result<(), String> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(&c.key).map_err(|e| {
        format!(
            "certificate present ({}), but not its private key ({}): {e}",
            c.cert_from, c.key_from
        )
    })?;
    let mode = meta.mode();
    let me = nix::unistd::geteuid().as_raw();
    if (meta.uid() == me && mode & 0o077 != 0) || (meta.uid() == 0 && mode & 0o137 != 0) {
        return Err(format!(
            "private key file ({}) has group or world access; it must have permissions \
             u=rw (0600) or less if owned by the current user, or u=rw,g=r (0640) or less \
             if owned by root",
            c.key_from
        ));
    }
    Ok(())
}

fn client_auth(
    c: &ClientCert,
) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>), String> {
    let chain = CertificateDer::pem_file_iter(&c.cert)
        .and_then(|it| it.collect::<Result<Vec<_>, _>>())
        .map_err(|e| format!("cannot read the client certificate ({}): {e}", c.cert_from))?;
    if chain.is_empty() {
        return Err(format!(
            "no certificate in the client certificate file ({})",
            c.cert_from
        ));
    }
    check_key_permissions(c)?;
    let key = PrivateKeyDer::from_pem_file(&c.key).map_err(|e| {
        format!(
            "cannot read the private key ({}): {e} (encrypted keys and sslpassword are not \
             supported)",
            c.key_from
        )
    })?;
    Ok((chain, key))
}

/// The connector for these settings; errors name the setting at fault.
pub fn connector(s: &TlsSettings) -> Result<MakeRustlsConnect, String> {
    let builder = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?;
    let inner = match load_roots(s)? {
        Some(roots) => Some(
            WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider())
                .build()
                .map_err(|e| format!("{} ({})", e, s.roots_from))?,
        ),
        None => None,
    };
    let verifier = Verifier {
        inner,
        check_name: s.mode == SslMode::VerifyFull,
        provider: provider(),
    };
    let builder = builder
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier));
    let config = match &s.client {
        Some(c) => {
            let (chain, key) = client_auth(c)?;
            builder
                .with_client_auth_cert(chain, key)
                .map_err(|e| format!("unusable client certificate ({}): {e}", c.cert_from))?
        }
        None => builder.with_no_client_auth(),
    };
    Ok(MakeRustlsConnect::new(config))
}

/// Checks what the mode asks for: nothing (encryption only), the chain, or the chain and
/// the host name. The host name is the last thing webpki checks, so a name error means
/// the chain was good.
#[derive(Debug)]
struct Verifier {
    inner: Option<Arc<WebPkiServerVerifier>>,
    check_name: bool,
    provider: Arc<rustls::crypto::CryptoProvider>,
}

impl ServerCertVerifier for Verifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let Some(inner) = &self.inner else {
            return Ok(ServerCertVerified::assertion());
        };
        match inner.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now) {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) if !self.check_name => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// The rustls error somewhere in a connection error's causes.
fn rustls_cause<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
    let mut cur = Some(e);
    while let Some(err) = cur {
        if let Some(r) = err.downcast_ref::<rustls::Error>() {
            return Some(r);
        }
        if let Some(r) = err
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
            .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        {
            return Some(r);
        }
        cur = err.source();
    }
    None
}

pub fn is_tls_error(e: &tokio_postgres::Error) -> bool {
    rustls_cause(e).is_some() || e.to_string().starts_with("error performing TLS handshake")
}

/// Says why a TLS handshake failed, in terms of the settings at fault.
pub fn explain(e: &tokio_postgres::Error, s: &TlsSettings, host: &str) -> Option<String> {
    use rustls::AlertDescription as A;
    let r = rustls_cause(e)?;
    let roots = &s.roots_from;
    Some(match r {
        rustls::Error::InvalidCertificate(c) => match c {
            CertificateError::UnknownIssuer => format!(
                "unknown CA: the server's certificate is not signed by a CA of {roots} ({})",
                s.mode_from
            ),
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                format!(
                    "host name mismatch: the server's certificate is not valid for \"{host}\" \
                     ({} checks the host name; verify-ca would not)",
                    s.mode_from
                )
            }
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => format!(
                "the server's certificate has expired ({}, checked against {roots})",
                s.mode_from
            ),
            CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
                format!(
                    "the server's certificate is not valid yet ({})",
                    s.mode_from
                )
            }
            other => format!(
                "the server's certificate is invalid ({other:?}; {}, {roots})",
                s.mode_from
            ),
        },
        rustls::Error::AlertReceived(
            alert @ (A::UnknownCA
            | A::BadCertificate
            | A::CertificateRequired
            | A::CertificateExpired
            | A::CertificateUnknown
            | A::AccessDenied),
        ) => match &s.client {
            Some(c) => format!(
                "the server rejected the client certificate ({}): TLS alert {alert:?}",
                c.cert_from
            ),
            None => format!(
                "the server wants a client certificate (TLS alert {alert:?}): give one with \
                 sslcert and sslkey"
            ),
        },
        other => format!("TLS handshake failed: {other} ({})", s.mode_from),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn with(pairs: &[(&str, &str)], home: Option<&Path>) -> Result<TlsSettings, String> {
        let map: BTreeMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        settings(
            &|k| {
                map.get(k).map(|v| Setting {
                    value: v.clone(),
                    from: k.to_string(),
                })
            },
            home,
        )
    }

    #[test]
    fn modes_roots_and_defaults_follow_libpq() {
        let none = tempfile::tempdir().unwrap();
        let s = with(&[], Some(none.path())).unwrap();
        assert_eq!(
            (s.mode, &s.roots, s.checks_chain()),
            (SslMode::Prefer, &Roots::None, false)
        );
        let s = with(&[("sslrootcert", "system")], Some(none.path())).unwrap();
        assert_eq!((s.mode, &s.roots), (SslMode::VerifyFull, &Roots::System));
        let weak = with(&[("sslrootcert", "system"), ("sslmode", "verify-ca")], None);
        assert!(weak.unwrap_err().contains("weak sslmode=verify-ca"));
        let bad = with(&[("sslmode", "verify_full")], None).unwrap_err();
        assert!(
            bad.starts_with("invalid sslmode value \"verify_full\""),
            "{bad}"
        );
        // A verify mode without any root names the default file and the ways out.
        let s = with(&[("sslmode", "verify-full")], Some(none.path())).unwrap();
        let e = connector(&s).err().unwrap();
        assert!(
            e.contains("root.crt does not exist") && e.contains("sslrootcert=system"),
            "{e}"
        );

        // ~/.postgresql/root.crt, when there, makes require check the chain.
        let home = tempfile::tempdir().unwrap();
        let pg = home.path().join(".postgresql");
        std::fs::create_dir(&pg).unwrap();
        std::fs::write(pg.join("root.crt"), "").unwrap();
        std::fs::write(pg.join("postgresql.crt"), "").unwrap();
        let s = with(&[("sslmode", "require")], Some(home.path())).unwrap();
        assert_eq!(s.roots, Roots::File(pg.join("root.crt")));
        assert!(s.checks_chain());
        let client = s.client.unwrap();
        assert_eq!(
            (client.cert, client.key),
            (pg.join("postgresql.crt"), pg.join("postgresql.key"))
        );
        let s = with(&[("sslmode", "disable")], Some(home.path())).unwrap();
        assert!(!s.checks_chain());
    }

    #[test]
    fn a_key_others_can_read_is_refused_naming_sslkey() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("k.key");
        std::fs::write(&key, "").unwrap();
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
        let c = ClientCert {
            cert: dir.path().join("c.crt"),
            key: key.clone(),
            key_from: format!("sslkey={}", key.display()),
            cert_from: "sslcert=c.crt".into(),
        };
        let e = check_key_permissions(&c).unwrap_err();
        assert!(
            e.contains("sslkey=") && e.contains("group or world access"),
            "{e}"
        );
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(check_key_permissions(&c), Ok(()));
    }
}

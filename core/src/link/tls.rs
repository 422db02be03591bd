//! TLS for the link (rustls, itself a state machine without I/O): the
//! companion accepts any client certificate whose key signs the handshake
//! and decides afterwards, by fingerprint, whether the tablet is paired; the
//! tablet accepts only the certificate whose fingerprint it pinned.

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, verify_tls13_signature};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{DigitallySignedStruct, DistinguishedName, SignatureScheme};

use super::{Fingerprint, TlsIdentity};

/// The ALPN protocol name of the link.
pub const ALPN: &[u8] = b"tsunagi-link/1";
/// The server name the tablet asks for (certificates are pinned, not named).
pub const SERVER_NAME: &str = "tsunagi";

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn chain(identity: &TlsIdentity) -> (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>) {
    (
        vec![CertificateDer::from(identity.cert_der.clone())],
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(identity.key_der.to_vec())),
    )
}

/// The companion's TLS configuration: TLS 1.3 only, its own certificate, a
/// client certificate required (checked by fingerprint after the handshake).
pub fn server_config(identity: &TlsIdentity) -> Result<rustls::ServerConfig, rustls::Error> {
    let provider = provider();
    let (certs, key) = chain(identity);
    let mut config = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&[&rustls::version::TLS13])?
        .with_client_cert_verifier(Arc::new(AnyClientKey(Signatures(provider))))
        .with_single_cert(certs, key)?;
    config.alpn_protocols = vec![ALPN.to_vec()];
    Ok(config)
}

/// The tablet's TLS configuration: TLS 1.3 only, its own certificate, and
/// only a server certificate with the fingerprint `pinned`.
pub fn client_config(
    identity: &TlsIdentity,
    pinned: Fingerprint,
) -> Result<rustls::ClientConfig, rustls::Error> {
    let provider = provider();
    let (certs, key) = chain(identity);
    let mut config = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&[&rustls::version::TLS13])?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(Pinned {
            pinned,
            signatures: Signatures(provider),
            refusal: COMPANION_REFUSAL,
        }))
        .with_client_auth_cert(certs, key)?;
    config.alpn_protocols = vec![ALPN.to_vec()];
    Ok(config)
}

/// The tablet's TLS configuration with its certificate and key supplied by
/// `resolver` (e.g. a key held by a platform keystore), pinning `pinned`.
pub fn client_config_with_resolver(
    resolver: Arc<dyn rustls::client::ResolvesClientCert>,
    pinned: Fingerprint,
) -> Result<rustls::ClientConfig, rustls::Error> {
    let provider = provider();
    let mut config = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&[&rustls::version::TLS13])?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(Pinned {
            pinned,
            signatures: Signatures(provider),
            refusal: COMPANION_REFUSAL,
        }))
        .with_client_cert_resolver(resolver);
    config.alpn_protocols = vec![ALPN.to_vec()];
    Ok(config)
}

/// A client configuration for HTTPS to the research centre: TLS 1.3, no
/// client certificate, and only the server certificate whose fingerprint is
/// `pinned` accepted (the centre's self-signed certificate, printed by
/// `tsunagi-centre init`). The host name is not checked: the pin is.
pub fn pinned_https_config(pinned: Fingerprint) -> Result<rustls::ClientConfig, rustls::Error> {
    let provider = provider();
    let mut config = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&[&rustls::version::TLS13])?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(Pinned {
            pinned,
            signatures: Signatures(provider),
            refusal: "the research centre's certificate is not the one configured",
        }))
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

/// The fingerprint of the first certificate a peer presented.
pub fn peer_fingerprint(certs: &[CertificateDer<'_>]) -> Option<Fingerprint> {
    certs.first().map(|c| Fingerprint::of(c.as_ref()))
}

#[derive(Debug)]
struct Pinned {
    pinned: Fingerprint,
    signatures: Signatures,
    /// The refusal's text when the certificate is another one.
    refusal: &'static str,
}

const COMPANION_REFUSAL: &str = "the companion's certificate is not the paired one";

impl ServerCertVerifier for Pinned {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if Fingerprint::of(end_entity.as_ref()) == self.pinned {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::General(self.refusal.into()))
        }
    }

    fn verify_tls12_signature(
        &self,
        _message: &[u8],
        _cert: &CertificateDer<'_>,
        _dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.signatures.tls12()
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.signatures.tls13(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.signatures.schemes()
    }
}

/// Accepts any client certificate, but the handshake still checks that the
/// client holds its private key (the CertificateVerify signature), so a copied
/// certificate without its key fails here.
#[derive(Debug)]
struct AnyClientKey(Signatures);

impl ClientCertVerifier for AnyClientKey {
    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &[]
    }

    fn client_auth_mandatory(&self) -> bool {
        true
    }

    fn verify_client_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        Ok(ClientCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        _message: &[u8],
        _cert: &CertificateDer<'_>,
        _dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.tls12()
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.tls13(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.schemes()
    }
}

/// The handshake signature checks both verifiers make, with the algorithms
/// of one crypto provider: every configuration here is TLS 1.3 only, so a
/// TLS 1.2 signature is refused.
#[derive(Debug)]
struct Signatures(Arc<CryptoProvider>);

impl Signatures {
    /// Refuses a TLS 1.2 signature: TLS 1.2 is never negotiated here.
    fn tls12(&self) -> Result<HandshakeSignatureValid, rustls::Error> {
        Err(rustls::Error::General("TLS 1.2 is not used".into()))
    }

    /// Checks a TLS 1.3 CertificateVerify signature over `message` with the
    /// key of `cert`.
    fn tls13(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    /// The signature schemes the provider can check.
    fn schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

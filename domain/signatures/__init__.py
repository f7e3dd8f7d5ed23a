"""Signatures: the server-side signers (PKCS#12, PKCS#11) behind one ``Signer`` interface."""

from domain.signatures._signers import (
    ECDSA_SHA256,
    RSA_SHA256,
    Pkcs11Signer,
    Pkcs12Signer,
    Signer,
    SignerError,
)

__all__ = [
    "ECDSA_SHA256",
    "RSA_SHA256",
    "Pkcs11Signer",
    "Pkcs12Signer",
    "Signer",
    "SignerError",
]

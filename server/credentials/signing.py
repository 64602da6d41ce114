"""Data Integrity proofs `eddsa-rdfc-2022`: RDFC-1.0 (URDNA2015) by pyld, Ed25519 by cryptography.

The JSON-LD contexts are bundled (server/credentials/contexts/) and served by a
document loader that refuses every other URL: signing never reaches the network,
and a credential naming an unknown context fails loudly instead of fetching it.
"""

from __future__ import annotations

import copy
import hashlib
import json
from functools import cache
from pathlib import Path
from typing import Any

from pyld import jsonld

from course.badges import OB_CONTEXT, VC_CONTEXT
from server.credentials.keys import SigningKey, base58btc

CONTEXTS_DIR = Path(__file__).parent / "contexts"
CONTEXT_FILES = {
    VC_CONTEXT: "credentials-v2.jsonld",
    OB_CONTEXT: "ob-v3p0-context-3.0.3.json",
}


class OfflineContextError(ValueError):
    """A document named a context that is not bundled."""


@cache
def _bundled(url: str) -> dict[str, Any]:
    found: dict[str, Any] = json.loads((CONTEXTS_DIR / CONTEXT_FILES[url]).read_text("utf-8"))
    return found


def document_loader(url: str, options: Any = None) -> dict[str, Any]:
    """pyld's loader: the bundled contexts only."""
    if url not in CONTEXT_FILES:
        raise OfflineContextError(f"context not bundled, not fetched: {url}")
    return {"contextUrl": None, "documentUrl": url, "document": copy.deepcopy(_bundled(url))}


def canonical(document: dict[str, Any]) -> str:
    """RDFC-1.0 N-Quads of a JSON-LD document."""
    options: Any = {
        "algorithm": "URDNA2015",
        "format": "application/n-quads",
        "documentLoader": document_loader,
    }
    nquads: str = jsonld.normalize(document, options)
    return nquads


def _hash_data(unsecured: dict[str, Any], proof_options: dict[str, Any]) -> bytes:
    config = {"@context": unsecured["@context"], **proof_options}
    config_hash = hashlib.sha256(canonical(config).encode("utf-8")).digest()
    document_hash = hashlib.sha256(canonical(unsecured).encode("utf-8")).digest()
    return config_hash + document_hash


def sign(document: dict[str, Any], key: SigningKey, created: str) -> dict[str, Any]:
    """The document with its embedded proof (the input is left untouched)."""
    unsecured = {name: value for name, value in document.items() if name != "proof"}
    proof: dict[str, Any] = {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "created": created,
        "verificationMethod": key.verification_method,
        "proofPurpose": "assertionMethod",
    }
    signature = key.sign(_hash_data(unsecured, proof))
    return {**unsecured, "proof": {**proof, "proofValue": "z" + base58btc(signature)}}

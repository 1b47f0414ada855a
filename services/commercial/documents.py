"""What the documents handed to a client (the quotation and contract PDFs) say about the client."""

from core import audit
from core.db import transaction


def client_document(client, user, purpose: str) -> str:
    """The client's document as a quotation or contract prints it. A company's NIT in full: it is how an
    invoice or a contract names a company, and it is public in the business registry; reading it is audited
    like any reveal (``sensitive_read``). A person's identity number stays masked (its last four): the
    document does not need it, and whoever signs writes theirs by hand."""
    if not client.document_type:
        return ""
    if client.kind == "company" and client.document_number:
        number = client.reveal_document()
        with transaction():
            audit.record("sensitive_read", client, actor=user, fields=["document_number"], detail=purpose[:200])
        return f"{client.document_type} {number}"
    return f"{client.document_type} {client.masked_document}".strip()

"""Peewee models, one module per aggregate. ALL_MODELS lists them for migrations and the schema test."""

from models.audit import AuditEvent
from models.catalog import PracticeArea
from models.clients import Client, ClientStatusChange, ConflictCheck, Party, SearchToken
from models.commercial import Contract, Quotation, QuotationLine
from models.consent import Consent, PrivacyNotice
from models.files import StoredFile
from models.intake import IntakeEvaluation, VerificationCheck
from models.mail import OutboundEmail
from models.users import ActivationToken, LoginThrottle, RecoveryCode, User, UserRole, UserSession

ALL_MODELS = [User, UserRole, UserSession, RecoveryCode, ActivationToken, LoginThrottle, AuditEvent, OutboundEmail,
              PracticeArea, SearchToken, StoredFile, Client, ClientStatusChange, Party, ConflictCheck,
              IntakeEvaluation, VerificationCheck, PrivacyNotice, Consent, Quotation, QuotationLine, Contract]

__all__ = [
    "ALL_MODELS",
    "ActivationToken",
    "AuditEvent",
    "Client",
    "ClientStatusChange",
    "ConflictCheck",
    "Consent",
    "Contract",
    "IntakeEvaluation",
    "LoginThrottle",
    "Party",
    "PracticeArea",
    "PrivacyNotice",
    "Quotation",
    "QuotationLine",
    "SearchToken",
    "StoredFile",
    "OutboundEmail",
    "RecoveryCode",
    "User",
    "UserRole",
    "UserSession",
    "VerificationCheck",
]

"""Peewee models, one module per aggregate. ALL_MODELS lists them for migrations and the schema test."""

from models.audit import AuditEvent
from models.mail import OutboundEmail
from models.users import ActivationToken, RecoveryCode, User, UserRole, UserSession

ALL_MODELS = [User, UserRole, UserSession, RecoveryCode, ActivationToken, AuditEvent, OutboundEmail]

__all__ = [
    "ALL_MODELS",
    "ActivationToken",
    "AuditEvent",
    "OutboundEmail",
    "RecoveryCode",
    "User",
    "UserRole",
    "UserSession",
]

"""Peewee models, one module per aggregate. ALL_MODELS lists them for migrations and the schema test."""

from models.audit import AuditEvent, AuditSubject
from models.benefits import BenefitGrant, BenefitRule, ReferralThanks
from models.cases import Case, CaseMember, CaseStatusChange, EvidenceItem, FinalDelivery, Intervention
from models.catalog import PracticeArea
from models.clients import Client, ClientStatusChange, ConflictCheck, Party, SearchToken
from models.commercial import Contract, Quotation, QuotationLine
from models.complaints import (
              Complaint,
              ComplaintCategory,
              ComplaintStatusChange,
              CrisisIncident,
              CrisisStep,
              SlaRule,
)
from models.consent import Consent, PrivacyNotice
from models.documents import (
              CalendarFeed,
              Deadline,
              DocumentItem,
              DocumentVersion,
              Holiday,
              RequirementTemplate,
)
from models.files import StoredFile
from models.intake import IntakeEvaluation, VerificationCheck
from models.interactions import Interaction, Meeting
from models.journey import JourneyFigure
from models.keys import KeyCheck
from models.loyalty import NewsletterDelivery, NewsletterIssue, RenewalDecision
from models.mail import OutboundEmail
from models.manual import (
              ConfidentialityAgreement,
              ManualAck,
              ManualAttachment,
              ManualDocument,
              ManualReview,
              ManualVersion,
)
from models.privacy import AccessReview, AccessReviewLine, DataSubjectRequest, Erasure, RetentionDue
from models.quality import ImprovementAction, QualityNote, QualityNoteAck
from models.quality_figures import QualityFigure, QualityFigureEpoch
from models.quality_targets import QualityTarget
from models.reviews import ManagementReview, ReviewInputVersion
from models.surveys import (
              SurveyAnswer,
              SurveyInvitation,
              SurveyLink,
              SurveyQuestion,
              SurveyResponse,
              SurveyTemplate,
)
from models.tasks import Task
from models.training import ManualFeedback, TrainingAttendee, TrainingSession
from models.users import (
              ActivationToken,
              LoginThrottle,
              PasswordResetToken,
              RecoveryCode,
              User,
              UserRole,
              UserSession,
)

ALL_MODELS = [User, UserRole, UserSession, RecoveryCode, ActivationToken, LoginThrottle, AuditEvent, OutboundEmail, KeyCheck,
              PracticeArea, SearchToken, StoredFile, Client, ClientStatusChange, Party, ConflictCheck,
              IntakeEvaluation, VerificationCheck, PrivacyNotice, Consent, Quotation, QuotationLine, Contract, RenewalDecision,
              NewsletterIssue, NewsletterDelivery,
              Case, CaseMember, CaseStatusChange, EvidenceItem, Intervention, FinalDelivery, Interaction, Meeting,
              RequirementTemplate, DocumentItem, DocumentVersion, Deadline, Holiday, CalendarFeed, Task,
              SurveyTemplate, SurveyQuestion, SurveyInvitation, SurveyLink, SurveyResponse, SurveyAnswer,
              ComplaintCategory, SlaRule, Complaint, ComplaintStatusChange, CrisisIncident, CrisisStep,
              PasswordResetToken, ManagementReview, ReviewInputVersion, ImprovementAction, QualityTarget, QualityNote, QualityNoteAck,
              QualityFigure, QualityFigureEpoch, JourneyFigure,
              AuditSubject, DataSubjectRequest, ManualDocument, ManualVersion, ManualAttachment,
              ManualReview, ManualAck, ConfidentialityAgreement,
              AccessReview, AccessReviewLine, Erasure, RetentionDue, BenefitRule, BenefitGrant, ReferralThanks,
              TrainingSession, TrainingAttendee, ManualFeedback]

__all__ = [
    "SurveyTemplate", "SurveyQuestion", "SurveyInvitation", "SurveyLink", "SurveyResponse", "SurveyAnswer",
    "ComplaintCategory", "SlaRule", "Complaint", "ComplaintStatusChange", "CrisisIncident", "CrisisStep",
    "Task",
    "ImprovementAction",
    "QualityTarget",
    "QualityFigure",
    "QualityFigureEpoch",
    "JourneyFigure",
    "QualityNote",
    "QualityNoteAck",
    "AuditSubject",
    "DataSubjectRequest",
    "AccessReview",
    "AccessReviewLine",
    "Erasure",
    "RetentionDue",
    "ManagementReview",
    "ReviewInputVersion",
    "RequirementTemplate",
    "Meeting",
    "Intervention",
    "Interaction",
    "Holiday",
    "FinalDelivery",
    "EvidenceItem",
    "DocumentVersion",
    "DocumentItem",
    "Deadline",
    "CaseStatusChange",
    "CaseMember",
    "Case",
    "CalendarFeed",
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
    "RenewalDecision",
    "BenefitRule",
    "BenefitGrant",
    "ReferralThanks",
    "NewsletterIssue",
    "NewsletterDelivery",
    "SearchToken",
    "StoredFile",
    "OutboundEmail",
    "RecoveryCode",
    "User",
    "UserRole",
    "UserSession",
    "VerificationCheck",
]

"""Helpers shared by the public-form and results tests: real templates, invitations and links made through
the same code the app uses."""

from core.db import transaction
from services import surveys
from tests.factories import make_case, make_user

ANONYMOUS_QUESTIONS = [
    {"kind": "rating", "criterion": "overall", "required": True, "text": "¿Qué tan satisfecho está?"},
    {"kind": "nps", "criterion": "", "required": True, "text": "¿Nos recomendaría?"},
    {"kind": "text", "criterion": "", "required": False, "text": "Comentario"},
]
MIXED_QUESTIONS = [
    {"kind": "rating", "criterion": "courtesy", "required": True, "text": "Cortesía"},
    {"kind": "choice", "criterion": "", "required": True, "text": "¿Cómo nos conoció?", "choices": "Web\nReferido"},
    {"kind": "yes_no", "criterion": "", "required": False, "text": "¿Volvería?"},
    {"kind": "text", "criterion": "", "required": False, "text": "Comentario"},
]


def default_template():
    return surveys.default_template()


def make_template(questions, anonymous=False, name="Encuesta anónima"):
    return surveys.save_template(None, {"name": name, "intro": "", "anonymous": anonymous, "is_active": True,
                                        "is_default": False}, questions, None)


def make_invitation(template=None, case=None, responsible=None, title="Demanda por despido sin justa causa",
                    client_name="María Fernanda Rojas"):
    """A live invitation handed over by link, and its token. Call inside app.test_request_context()."""
    if case is None:
        responsible = responsible or make_user(roles=("operations",), name="Laura Gómez")
        case = make_case(responsible=responsible, title=title, client_name=client_name)
    template = template or default_template()
    invitation = surveys.invite(case.client, case, template, email="")
    with transaction():
        token = surveys.issue_link(invitation, "manual")
    return invitation, token


def answers_for(template, rating=5, nps=10, comment="", **overrides):
    """Form data answering every question of the template: ratings, the NPS, yes/no, the first option."""
    data = {}
    for q in template.ordered_questions():
        key = f"q{q.id}"
        if q.kind == "rating":
            data[key] = str(rating)
        elif q.kind == "nps":
            data[key] = str(nps)
        elif q.kind == "yes_no":
            data[key] = "yes"
        elif q.kind == "choice":
            data[key] = q.options[0]
        elif q.kind == "text":
            data[key] = comment
    data.update(overrides)
    return data


def question(template, kind, n=0):
    return [q for q in template.ordered_questions() if q.kind == kind][n]

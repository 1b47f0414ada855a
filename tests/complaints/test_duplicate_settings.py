"""Settings created twice: a duplicate category the name check misses is refused beside the field, and an
SLA rule someone else created meanwhile is refused (nothing saved) instead of answering 500."""

import pytest

from models.complaints import ComplaintCategory, SlaRule
from services import complaints as service


def test_a_duplicate_category_the_check_misses_is_said_beside_the_field(app, http, login_as):
    login_as("quality")
    ComplaintCategory.create(name="Ética profesional")  # SQLite's LOWER() leaves "É" as it is: the check misses it
    response = http.post("/quejas/configuracion/categorias", data={"name": "Ética profesional"})
    assert response.status_code == 422 and 'id="name-error"' in response.get_data(as_text=True)
    assert ComplaintCategory.select().where(ComplaintCategory.name == "Ética profesional").count() == 1


def test_an_sla_rule_created_meanwhile_is_refused_not_a_500(app, http, login_as):
    me = login_as("quality")
    seen = SlaRule.matrix()  # what the form showed: no rule yet
    SlaRule.create(kind="complaint", severity="high", response_days=2, resolution_days=4)  # someone else, meanwhile
    with app.test_request_context():
        with pytest.raises(service.SlaConflict) as refused:
            service.save_sla({("complaint", "high"): (1, 3), ("query", "low"): (2, 9)}, me, seen)
    assert refused.value.field == "complaint_high_response"
    rules = SlaRule.matrix()
    assert (rules[("complaint", "high")].response_days, ("query", "low") in rules) == (2, False)  # nothing saved

"""Helpers of the crisis protocol tests."""

import re


def opened_incident(response) -> int:
    """The id of the incident a successful opening redirected to."""
    assert response.status_code == 303, response.get_data(as_text=True)[:400]
    return int(re.search(r"/crisis/(\d+)$", response.headers["Location"]).group(1))

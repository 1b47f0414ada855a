"""core.web.link_for: a list's link per row, built once, is the URL url_for builds for that row."""

import pytest
from flask import url_for

from core.web import link_for


def test_a_row_link_is_url_for_s_url_for_each_row(app):
    with app.test_request_context(base_url="http://localhost/traza"):
        client = link_for("clients.show", "client_id")
        thank = link_for("loyalty.thank", "client_id")
        version = link_for("manual.version", "document_id", "version_id")
        for row_id in (1, 7, 10, 918_273_645_120, 2**62):
            assert client(row_id) == url_for("clients.show", client_id=row_id)
            assert thank(row_id) == url_for("loyalty.thank", client_id=row_id)
            assert version(row_id, 3) == url_for("manual.version", document_id=row_id, version_id=3)
        assert client("42") == url_for("clients.show", client_id=42) and client(5).startswith("/traza/")
        with pytest.raises(ValueError):
            client("42/../admin")  # a row's id is a number
        in_query = link_for("clients.index", "responsable", q="ana")  # not in the path: in the query string, as url_for
        assert in_query(9) == url_for("clients.index", responsable=9, q="ana")

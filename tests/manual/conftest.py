"""Fixtures shared by the manual's tests."""

import pytest


@pytest.fixture
def browser(app, login_as):
    """Another signed-in browser (a second person at the same time)."""

    def open_(*roles, user=None):
        client = app.test_client()
        login_as(*roles, client=client, user=user)
        return client

    return open_

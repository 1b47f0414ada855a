"""(being built)"""

from blueprints.surveys import bp  # noqa: F401

"""(being built)"""

from blueprints.complaints import bp  # noqa: F401

"""The procedures manual (``/manual``, issue 17): the index, a document with its version in force, its history and
attachments, the version editor, review and approval, and the comparison of two versions."""

from flask import Blueprint

bp = Blueprint("manual", __name__)

from blueprints.manual import follow, journey, organigram, paper, routes, training  # noqa: E402,F401

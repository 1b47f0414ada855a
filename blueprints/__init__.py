"""One package per domain: __init__.py (bp), routes.py, forms.py."""

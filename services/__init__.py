"""The firm's procedure, one package per domain (DESIGN.md §2)."""

"""Reports across the firm's records (DESIGN.md §2, domain ``reports``): the traceability report of a client or a
case ("Informe de trazabilidad — Seguimiento — Historia de la atención al cliente"), in trace.py."""

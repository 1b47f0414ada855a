"""Quality management (PRO 008 §7): the indicators (indicators.py) and the improvement actions (actions.py)."""

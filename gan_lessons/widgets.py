"""ipywidgets dashboards. Each builder returns the widget without displaying it, so tests can
drive its controls by setting `.value`; the logic lives in plain functions of other modules."""
from __future__ import annotations

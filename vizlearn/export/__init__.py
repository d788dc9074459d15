"""Exporters: the only code that writes files (atomically, with provenance)."""

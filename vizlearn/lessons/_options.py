"""Deprecated location of the option helpers: use :mod:`vizlearn.config`."""

from __future__ import annotations

from vizlearn.config import option, to_dict
from vizlearn.config import validate as check_range

__all__ = ["option", "check_range", "to_dict"]

"""The durable store: the only package that speaks SQL."""

from phonesvc.store.db import Store

__all__ = ["Store"]

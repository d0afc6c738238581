"""phonesvc: an open-source application server for Cisco IP desk phones."""

__version__ = "0.1.0"

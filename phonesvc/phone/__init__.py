"""Cisco IP phone XML services."""

"""authsweep: find and fix Python code and config that logs in to Microsoft 365 mail
with basic auth or broken connection settings."""

__version__ = "0.1.0"

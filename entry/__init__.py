"""authsweep: find and fix Python code and config that logs in to Microsoft 365 mail with
basic auth or broken TLS settings.

The code lives in the subpackages (``authsweep.scanner``, ``authsweep.rules``,
``authsweep.lab``); this package only makes ``python -m authsweep`` work."""

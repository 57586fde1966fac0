"""Users' mail settings, whatever file they come from, turned into connections of the
mail model (authsweep's own configuration is :mod:`authsweep.scanner.options_file`).

- :mod:`.keys`: the keys and families of mail settings (a leaf: readers import it alone);
- :mod:`.urls`: settings that are one URL (``EMAIL_URL``, ``AIRFLOW_CONN_*``);
- :mod:`.coerce`: values read as numbers and flags, flags written in the file's words;
- :mod:`.interpret`: groups of settings recognised as connections;
- :mod:`.builder`: one connection and its remedies;
- :mod:`.backends`: the XOAUTH2 fix of framework settings (an OAuth2 email backend).

Nothing is imported here, so that importing :mod:`.keys` stays cheap.
"""

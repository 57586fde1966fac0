"""The tenant's half of the migration (``authsweep tenant``).

``plan``: from what the code uses (the mailboxes of its password logins, by protocol),
the app registration, its permissions, the Exchange Online service principal and the
mailbox rights scoped to exactly those mailboxes, as a script an admin reviews and runs.
``match``: the tenant's own evidence (the SMTP AUTH clients report, Entra sign-in logs)
joined to the code, one line per mailbox. authsweep never talks to a tenant itself.

Nothing here is imported by the engine except :mod:`.mailboxes`, which only reads the
mail model.
"""

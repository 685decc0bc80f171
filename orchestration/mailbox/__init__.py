"""The mailbox units send their reports and answers to (TUPHAP_IMAP_URL): pulled read-only,
each message taken once (pull.py), decided (decide.py: who may submit, what is held), units'
explanations applied to their issues (explain.py)."""

"""Approvals: the human-in-the-loop flow (DESIGN §4).

``model`` holds the records and their pure transitions, ``store`` keeps them
in Redis with atomic transitions, ``rules`` and ``auth`` decide who may review,
``desk`` ties a review together, ``notify`` tells humans.
"""

"""The one exception type a user can fix.

Every command catches `UserError` at its top, prints its message as one line
and exits 2 (DESIGN.md: 0 done, 2 bad usage or input the user can fix, 1 else).
"""


class UserError(Exception):
    """Something the user can fix; the message says what happened and what to do."""

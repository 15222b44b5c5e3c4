"""Account pages: sign-in (``signin``), my account and organisation members (``members``)."""

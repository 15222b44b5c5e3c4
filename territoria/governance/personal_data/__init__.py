"""The personal-data gate: every new version scanned; findings block open publication until
resolved."""

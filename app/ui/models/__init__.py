"""Qt item models over storage queries."""

"""Client side of the sync protocol: transport, push/pull, merge, conflicts, credentials."""

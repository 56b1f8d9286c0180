"""Where a question goes: retrieve -> read -> verify -> compose (see ``pipeline``)."""

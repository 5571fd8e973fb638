"""Reports: the key figures of community management, each defined once (``reports.metrics``)."""

"""CKAN's Action API (``/api/3/action/…``): a thin dialect over the catalog, gate and engine."""

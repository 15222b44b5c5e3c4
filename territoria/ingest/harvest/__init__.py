"""Harvesters of other portals (CKAN, udata, Opendatasoft, DCAT): gather, fetch, import."""

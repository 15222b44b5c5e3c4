"""The DCAT-AP catalogue dialect: catalog objects as RDF for harvesters (decision 0019)."""

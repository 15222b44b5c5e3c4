"""OGC API – Features dialect (Part 1 Core, GeoJSON): see views.py; decision 0020."""

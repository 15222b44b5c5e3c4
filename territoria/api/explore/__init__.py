"""The Opendatasoft Explore API v2.1 dialect: a thin translation over the gate and the engine."""

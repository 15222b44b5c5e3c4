"""ODSQL, the query language of Opendatasoft's Explore API v2.1, read by our own parser.

The flow is ``lexer`` → ``parser`` (text to the ``ast``) → ``compiler`` and ``functions``
(checked against a version's schema, translated to DuckDB SQL fragments whose literals are
bound parameters; ``dates`` and ``text`` for periods and accent-blind matching, ``geo``
for geometry literals and geo predicates, ``dateformat`` for date_format patterns) →
``planner`` (the clauses of one query, as a plan) → ``statements`` (the SQL to run).
``render`` writes a tree back as ODSQL. Nothing here runs a query: ``datastore.query`` does.
"""

from territoria.datastore.odsql.parser import (
    parse_group_by,
    parse_order_by,
    parse_select,
    parse_where,
)
from territoria.datastore.odsql.planner import Plan, plan_filter, plan_query
from territoria.datastore.odsql.render import render

__all__ = [
    "Plan",
    "parse_group_by",
    "parse_order_by",
    "parse_select",
    "parse_where",
    "plan_filter",
    "plan_query",
    "render",
]

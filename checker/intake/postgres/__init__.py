"""Datasets that live in PostgreSQL: checked against the catalogue, validated and typed there, as queries.

The connection runs one transaction for the whole audit, `REPEATABLE READ, READ ONLY`
(`connection.py`): every query sees the same snapshot and none can change the database
(PostgreSQL refuses any write in it, error 25006). The mapping is checked against the
catalogue first (`catalogue.py`). Since nothing can be created in the transaction, the
relations of the intake are *virtual views* (`views.py`): named queries that each query
gets as `WITH … AS NOT MATERIALIZED`, so PostgreSQL still plans over the tables and their
indexes. `PostgresStore` (`store.py`) stages, validates and types the mapped tables
through them:

    __reglement_base_<d>   the mapped table's columns under the contract's names
    __reglement_stage_<d>  the same, numbered (only in the queries that read the row number)
    <d>                    the typed relation the validator wrote

Files of the same audit are staged in DuckDB beside it, by the engine's DuckDB store, and
so is the list of export columns that rule 1.1 reads. The DSN is never shown: a failure
to connect is told in words of our own (E715), as is a table or column missing from the
catalogue (E714, naming the dataset's side and the table's).
"""

from .store import PostgresStore

__all__ = ["PostgresStore"]

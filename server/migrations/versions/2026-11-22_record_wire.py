"""Keep each record's wire JSON beside it, so pulls copy it instead of re-encoding.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing rows keep NULL: readers fall back to encoding those from their columns.
    with op.batch_alter_table("record") as batch:
        batch.add_column(sa.Column("wire", sa.Text))


def downgrade() -> None:
    with op.batch_alter_table("record") as batch:
        batch.drop_column("wire")

"""Initial schema: orgs, users, tokens, login throttle, records, changes, digests, epoch copies.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "org",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("epoch", sa.String(36), nullable=False),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("epoch_seq", sa.BigInteger, nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_org"),
        sa.UniqueConstraint("name", name="uq_org_name"),
    )
    op.create_table(
        "app_user",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("org_id", sa.Integer, nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("disabled", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_app_user"),
        sa.ForeignKeyConstraint(["org_id"], ["org.id"], name="fk_app_user_org_id_org"),
        sa.UniqueConstraint("username", name="uq_app_user_username"),
    )
    op.create_index("ix_app_user_org_id", "app_user", ["org_id"])
    op.create_table(
        "auth_token",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("expires_at", sa.Float, nullable=False),
        sa.Column("revoked", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("token_hash", name="pk_auth_token"),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], name="fk_auth_token_user_id_app_user"),
    )
    op.create_index("ix_auth_token_user_id", "auth_token", ["user_id"])
    op.create_table(
        "login_failure",
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("first_at", sa.Float, nullable=False),
        sa.PrimaryKeyConstraint("username", "address", name="pk_login_failure"),
    )
    op.create_table(
        "record",
        sa.Column("org_id", sa.Integer, nullable=False),
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("deleted", sa.Boolean, nullable=False),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("uscc", sa.String(40)),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("updated_at", sa.String(32), nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False),
        sa.Column("last_change_id", sa.String(36)),
        sa.PrimaryKeyConstraint("org_id", "id", name="pk_record"),
        sa.ForeignKeyConstraint(["org_id"], ["org.id"], name="fk_record_org_id_org"),
    )
    op.create_index("ix_record_org_seq", "record", ["org_id", "seq"], unique=True)
    op.create_index("ix_record_org_uscc", "record", ["org_id", "uscc"])
    op.create_index("ix_record_org_type_id", "record", ["org_id", "type", "id"])
    op.create_table(
        "record_parent",
        sa.Column("org_id", sa.Integer, nullable=False),
        sa.Column("parent_id", sa.String(36), nullable=False),
        sa.Column("child_id", sa.String(36), nullable=False),
        sa.PrimaryKeyConstraint("org_id", "parent_id", "child_id", name="pk_record_parent"),
    )
    op.create_table(
        "applied_change",
        sa.Column("org_id", sa.Integer, nullable=False),
        sa.Column("change_id", sa.String(36), nullable=False),
        sa.Column("reply", sa.Text, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.PrimaryKeyConstraint("org_id", "change_id", name="pk_applied_change"),
        sa.ForeignKeyConstraint(["org_id"], ["org.id"], name="fk_applied_change_org_id_org"),
    )
    op.create_table(
        "digest",
        sa.Column("org_id", sa.Integer, nullable=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("bucket", sa.Integer, nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("value", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("org_id", "type", "bucket", name="pk_digest"),
        sa.ForeignKeyConstraint(["org_id"], ["org.id"], name="fk_digest_org_id_org"),
    )
    op.create_table(
        "epoch_copy",
        sa.Column("org_id", sa.Integer, nullable=False),
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("deleted", sa.Boolean, nullable=False),
        sa.Column("record", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("org_id", "id", name="pk_epoch_copy"),
    )


def downgrade() -> None:
    for name in (
        "epoch_copy", "digest", "applied_change", "record_parent", "record", "login_failure",
        "auth_token", "app_user", "org",
    ):
        op.drop_table(name)

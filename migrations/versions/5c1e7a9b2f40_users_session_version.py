"""users session version

Revision ID: 5c1e7a9b2f40
Revises: d6a69777a2d1
Create Date: 2026-12-01 22:40:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "5c1e7a9b2f40"
down_revision = "d6a69777a2d1"
branch_labels = None
depends_on = None


def upgrade():
    # The server default fills existing rows; batch mode lets SQLite drop the column again.
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(
            sa.Column("session_version", sa.Integer(), server_default="1", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("session_version")

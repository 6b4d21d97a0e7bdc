"""queue indexes by status and appointment; per-outcome counts from the index

Revision ID: 7a3c9e1d4b62
Revises: e5eda5db96f8
Create Date: 2026-12-02 03:45:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "7a3c9e1d4b62"
down_revision = "e5eda5db96f8"
branch_labels = None
depends_on = None

_NEWEST = [sa.literal_column("submitted_at DESC"), sa.literal_column("id DESC")]


def upgrade():
    # The queue reads sent and still-answering rows apart, and by appointment; it counts the
    # sent ones per outcome from an index alone. (ix_submissions_order stays, for the exports.)
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.drop_index("ix_submissions_counts")
        batch_op.create_index(
            "ix_submissions_counts", ["status", "category", "submitted_at"], unique=False
        )
        batch_op.create_index(
            "ix_submissions_queue",
            ["status", "urgency_rank", *_NEWEST, "appointment_at"],
            unique=False,
        )
        batch_op.create_index(
            "ix_submissions_upcoming",
            ["status", "urgency_rank", "appointment_at", "submitted_at", "id"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_submissions_flagged_at"), ["flagged_at"], unique=False)


def downgrade():
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_submissions_flagged_at"))
        batch_op.drop_index("ix_submissions_upcoming")
        batch_op.drop_index("ix_submissions_queue")
        batch_op.drop_index("ix_submissions_counts")
        batch_op.create_index("ix_submissions_counts", ["category", "submitted_at"], unique=False)

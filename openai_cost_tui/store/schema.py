"""The store's tables as Peewee models, built per database so several stores can be open at once.

Amounts are two integers (see core/money.py): ``amount_hi`` (10**-9) and ``amount_lo`` (10**-18).
Quantities likewise: ``qty_hi`` whole units and ``qty_lo`` in 10**-9 units. A missing project or API key
is stored as the empty string so one row per (connection, day, project, key, charge, currency) is
enforced by the primary key (``COST_KEY``).
"""

from __future__ import annotations

from dataclasses import dataclass

import peewee as pw

SCHEMA_VERSION = 15
# 2: saved report views; 3: budgets and restatements; 4: the monthly rollup; 5: the two daily rollups
# (rollups are filled from cost when a migration adds them); 6: who synced a connection last and who saw
# its last error (connection.synced_by, connection.error_by) and the store's id in meta (members' key
# references are filed under it); 7: the month cubes by charge, project and key (store/rollup.py, filled
# from cost_month); 8: the week cube by charge (cost_week_charge, filled from cost_day_charge); 9: on SQLite
# the rollups are WITHOUT ROWID tables (rows stored in their key's order: no rowid lookup per row), and
# cost_month and cost_day_project are keyed in the order their views group and filter by (ROLLUP_KEYS); 10: cost
# is keyed by COST_KEY (day first) with no rowid and no other index: one b-tree per row written instead of three;
# 11: the daily rollup by charge across connections (cost_day_charge_all, filled from cost_day_charge); 12: the
# tag cubes (tag_day, tag_month, tag_cube: store/tag_cube.py), built for the store's tags by project, and the
# daily rollup by project across connections (cost_day_project_all, filled from cost_day_project) and the daily
# rollup by API key (cost_day_key, filled from cost); 13: cubes for tags whose rules read charge dimensions
# (service, category ...), among them tag_month_project_key, built for the store's tags by charge; 14: the
# rollups by API key (cost_day_key, cost_month_key) keep the project too, made again from cost and cost_month
# (a key belongs to one project, so they hold about as many rows, and project x key views read them), and
# the quarter cube cost_quarter (filled from cost_month); 15: the rollup by API key per part of a week within a
# month (cost_part_key, filled from cost_day_key), which the edge days of a month view by key read, and its
# twin for tags by charge dimensions over the recent months (tag_part_project_key: store/tag_parts.py)
ADDED_COLUMNS = {"connection": (("synced_by", "TEXT"), ("error_by", "TEXT"))}  # by migration 6


@dataclass(frozen=True)
class Models:
    Meta: type[pw.Model]
    Connection: type[pw.Model]
    Workspace: type[pw.Model]
    WorkspaceConnection: type[pw.Model]
    Project: type[pw.Model]
    ApiKey: type[pw.Model]
    Charge: type[pw.Model]
    Cost: type[pw.Model]
    SyncRun: type[pw.Model]
    Reconciliation: type[pw.Model]
    SavedView: type[pw.Model]
    Budget: type[pw.Model]
    Restatement: type[pw.Model]
    CostMonth: type[pw.Model]
    CostDayCharge: type[pw.Model]
    CostDayProject: type[pw.Model]
    CostDayKey: type[pw.Model]
    CostMonthCharge: type[pw.Model]
    CostMonthProject: type[pw.Model]
    CostMonthKey: type[pw.Model]
    CostWeekCharge: type[pw.Model]
    CostQuarter: type[pw.Model]
    CostPartKey: type[pw.Model]
    CostDayChargeAll: type[pw.Model]
    CostDayProjectAll: type[pw.Model]
    VirtualTag: type[pw.Model] | None = None  # store/tags.py (created when missing: no version of its own)
    TagDay: type[pw.Model] | None = None  # store/tag_cube.py (created when missing, like VirtualTag)
    TagMonth: type[pw.Model] | None = None
    TagMonthProjectKey: type[pw.Model] | None = None
    TagPartProjectKey: type[pw.Model] | None = None
    TagCube: type[pw.Model] | None = None

    def rollups(self) -> list[type[pw.Model]]:
        return [self.CostMonth, self.CostDayCharge, self.CostDayProject, self.CostDayKey, self.CostMonthCharge,
                self.CostMonthProject, self.CostMonthKey, self.CostWeekCharge, self.CostQuarter, self.CostPartKey]

    def all(self) -> list[type[pw.Model]]:
        return [
            self.Meta,
            self.Connection,
            self.Workspace,
            self.WorkspaceConnection,
            self.Project,
            self.ApiKey,
            self.Charge,
            self.Cost,
            self.SyncRun,
            self.Reconciliation,
            self.SavedView,
            self.Budget,
            self.Restatement,
            *self.rollups(),
            self.CostDayChargeAll,  # not among rollups(): no connection (refreshed by store/rollup.py)
            self.CostDayProjectAll,
            *(m for m in (self.VirtualTag, self.TagDay, self.TagMonth, self.TagMonthProjectKey, self.TagPartProjectKey,
                                     self.TagCube) if m is not None),
        ]


# each rollup's primary key, in the order its rows are stored on SQLite (WITHOUT ROWID): a GROUP BY on a
# prefix of it streams, with no temporary b-tree. cost_month leads with (month, charge) so a month view in
# a category seeks its charges' rows; cost_day_project with (day, project) so project x day grouped by the
# id alone (store/pivot.py) and by connection and id both stream (schema 8: connection first in both).
ROLLUP_KEYS = {
    "cost_month": ("month", "charge", "connection", "project_id", "api_key_id", "currency"),
    "cost_quarter": ("quarter", "charge", "connection", "project_id", "api_key_id", "currency"),
    "cost_day_charge": ("day", "connection", "charge", "currency"),
    "cost_day_charge_all": ("day", "charge", "currency"),
    "cost_day_project": ("day", "project_id", "connection", "currency"),
    "cost_day_project_all": ("day", "project_id", "currency"),
    "cost_day_key": ("day", "api_key_id", "connection", "project_id", "currency"),
    "cost_month_charge": ("month", "connection", "charge", "currency"),
    "cost_week_charge": ("week", "connection", "charge", "currency"),
    "cost_month_project": ("month", "connection", "project_id", "currency"),
    "cost_month_key": ("month", "connection", "api_key_id", "project_id", "currency"),
    "cost_part_key": ("month", "week", "connection", "api_key_id", "project_id", "currency"),
}


# the cost table's primary key: one row per (day, connection, project, key, charge, currency), stored in that
# order on SQLite (WITHOUT ROWID): a window's rows land side by side, a day range is one contiguous run of the
# table, and the two secondary indexes of schema 9 (the store key led by the connection, and day x connection)
# are gone: writing a row touches one b-tree instead of three (issue #14)
COST_KEY = ("day", "connection", "project_id", "api_key_id", "charge", "currency")


def build_models(db: pw.Database) -> Models:
    rowless = isinstance(db, pw.SqliteDatabase)  # PostgreSQL has no WITHOUT ROWID (peewee would emit it)

    class Base(pw.Model):
        class Meta:
            database = db
            legacy_table_names = False

    class Meta(Base):
        key = pw.TextField(primary_key=True)
        value = pw.TextField()

    class Connection(Base):
        description = pw.TextField(unique=True)
        base_url = pw.TextField()
        key_source = pw.TextField()  # member (each member's data folder says); older stores: keyring | env | file
        key_ref = pw.TextField()  # '' (older stores: keyring user, env var name or file path): never the key
        masked_key = pw.TextField(null=True)
        organization_id = pw.TextField(null=True)
        organization_name = pw.TextField(null=True)
        backfill_start = pw.DateField()
        covered_from = pw.DateField(null=True)  # stored days form one contiguous range ...
        covered_to = pw.DateField(null=True)  # ... [covered_from, covered_to]
        created_at = pw.DateTimeField()
        last_synced_at = pw.DateTimeField(null=True)
        status = pw.TextField(default="new")  # new | ok | failed | syncing
        last_error = pw.TextField(null=True)
        group_by_api_key = pw.BooleanField(null=True)  # None: not yet probed
        synced_by = pw.TextField(null=True)  # member@host of the last successful sync
        error_by = pw.TextField(null=True)  # member@host that saw last_error

    class Workspace(Base):
        name = pw.TextField(unique=True)

    class WorkspaceConnection(Base):
        workspace = pw.ForeignKeyField(Workspace, on_delete="CASCADE")
        connection = pw.ForeignKeyField(Connection, on_delete="CASCADE")

        class Meta:
            primary_key = pw.CompositeKey("workspace", "connection")

    class Project(Base):
        connection = pw.ForeignKeyField(Connection, on_delete="CASCADE")
        project_id = pw.TextField()
        name = pw.TextField(null=True)
        archived = pw.BooleanField(default=False)

        class Meta:
            primary_key = pw.CompositeKey("connection", "project_id")

    class ApiKey(Base):
        connection = pw.ForeignKeyField(Connection, on_delete="CASCADE")
        key_id = pw.TextField()
        name = pw.TextField(null=True)
        project_id = pw.TextField(null=True)

        class Meta:
            primary_key = pw.CompositeKey("connection", "key_id")

    class Charge(Base):
        """A distinct (line item, unit, credit) and its derived dimensions (re-derivable)."""

        key = pw.TextField(unique=True)
        line_item = pw.TextField(null=True)
        unit = pw.TextField(null=True)
        credit = pw.BooleanField(default=False)
        service = pw.TextField()
        category = pw.TextField()
        subcategory = pw.TextField()
        tier = pw.TextField()
        context = pw.TextField()
        model_version = pw.TextField()

    class Cost(Base):
        connection = pw.ForeignKeyField(Connection, on_delete="CASCADE", index=False)
        day = pw.DateField()
        week = pw.TextField()
        month = pw.TextField()
        project_id = pw.TextField()  # '' when unattributed
        api_key_id = pw.TextField()  # '' when unattributed
        charge = pw.ForeignKeyField(Charge, index=False)
        currency = pw.TextField()
        amount_hi = pw.BigIntegerField()
        amount_lo = pw.BigIntegerField()
        qty_hi = pw.BigIntegerField(null=True)
        qty_lo = pw.BigIntegerField(null=True)

        class Meta:
            primary_key = pw.CompositeKey(*COST_KEY)
            without_rowid = rowless

    class CostMonth(Base):
        """The monthly rollup of ``cost``, rebuilt for the touched months in the transaction that replaces
        a window: month pivots read ~30x fewer rows. ``amount_lo`` sums may exceed 10**9 (still exact)."""

        connection = pw.ForeignKeyField(Connection, on_delete="CASCADE", index=False)
        month = pw.TextField()
        project_id = pw.TextField()
        api_key_id = pw.TextField()
        charge = pw.ForeignKeyField(Charge, index=False)
        currency = pw.TextField()
        amount_hi = pw.BigIntegerField()
        amount_lo = pw.BigIntegerField()
        qty_hi = pw.BigIntegerField(null=True)
        qty_lo = pw.BigIntegerField(null=True)

        class Meta:
            table_name = "cost_month"
            primary_key = pw.CompositeKey(*ROLLUP_KEYS[table_name])
            without_rowid = rowless

    class CostQuarter(Base):
        """``cost_month`` summed by calendar quarter (``2026-Q1``, schema 14): the whole quarters of a view by
        charge dimensions and projects or keys over many months (project x service over a year reads ~3
        quarters and ~4 months instead of 13 months)."""

        connection = pw.ForeignKeyField(Connection, on_delete="CASCADE", index=False)
        quarter = pw.TextField()
        project_id = pw.TextField()
        api_key_id = pw.TextField()
        charge = pw.ForeignKeyField(Charge, index=False)
        currency = pw.TextField()
        amount_hi = pw.BigIntegerField()
        amount_lo = pw.BigIntegerField()
        qty_hi = pw.BigIntegerField(null=True)
        qty_lo = pw.BigIntegerField(null=True)

        class Meta:
            table_name = "cost_quarter"
            primary_key = pw.CompositeKey(*ROLLUP_KEYS[table_name])
            without_rowid = rowless

    class CostDayCharge(Base):
        """The daily rollup without project and key: ~27x fewer rows than ``cost`` on a large organization,
        for day-binned views by service, category, tier, organization ... (see store/rollup.py)."""

        day = pw.DateField()
        connection = pw.ForeignKeyField(Connection, on_delete="CASCADE", index=False)
        week = pw.TextField()
        month = pw.TextField()
        charge = pw.ForeignKeyField(Charge, index=False)
        currency = pw.TextField()
        amount_hi = pw.BigIntegerField()
        amount_lo = pw.BigIntegerField()
        qty_hi = pw.BigIntegerField(null=True)
        qty_lo = pw.BigIntegerField(null=True)

        class Meta:
            table_name = "cost_day_charge"
            primary_key = pw.CompositeKey(*ROLLUP_KEYS[table_name])
            without_rowid = rowless

    class CostDayProject(Base):
        """The daily rollup per project, without charge and key, for day-binned views by project or
        organization. The charges' units are kept as their least and greatest, which is all a pivot
        cell needs to tell one unit from a mix."""

        day = pw.DateField()
        connection = pw.ForeignKeyField(Connection, on_delete="CASCADE", index=False)
        week = pw.TextField()
        month = pw.TextField()
        project_id = pw.TextField()
        currency = pw.TextField()
        amount_hi = pw.BigIntegerField()
        amount_lo = pw.BigIntegerField()
        qty_hi = pw.BigIntegerField(null=True)
        qty_lo = pw.BigIntegerField(null=True)
        unit_min = pw.TextField(null=True)
        unit_max = pw.TextField(null=True)

        class Meta:
            table_name = "cost_day_project"
            primary_key = pw.CompositeKey(*ROLLUP_KEYS[table_name])
            without_rowid = rowless

    class CostDayKey(Base):
        """The daily rollup per API key and its project, without charge, for day-binned views by key or by
        project and key (schema 12, the project since 14): ~5x fewer rows than ``cost``; units kept as in
        CostDayProject."""

        day = pw.DateField()
        connection = pw.ForeignKeyField(Connection, on_delete="CASCADE", index=False)
        week = pw.TextField()
        month = pw.TextField()
        project_id = pw.TextField()
        api_key_id = pw.TextField()
        currency = pw.TextField()
        amount_hi = pw.BigIntegerField()
        amount_lo = pw.BigIntegerField()
        qty_hi = pw.BigIntegerField(null=True)
        qty_lo = pw.BigIntegerField(null=True)
        unit_min = pw.TextField(null=True)
        unit_max = pw.TextField(null=True)

        class Meta:
            table_name = "cost_day_key"
            primary_key = pw.CompositeKey(*ROLLUP_KEYS[table_name])
            without_rowid = rowless

    class CostMonthCharge(Base):
        """Month cube by charge (no project, no key), summed from ``cost_month``: a year of any charge
        dimension by month or organization reads a few thousand rows."""

        month = pw.TextField()
        connection = pw.ForeignKeyField(Connection, on_delete="CASCADE", index=False)
        charge = pw.ForeignKeyField(Charge, index=False)
        currency = pw.TextField()
        amount_hi = pw.BigIntegerField()
        amount_lo = pw.BigIntegerField()
        qty_hi = pw.BigIntegerField(null=True)
        qty_lo = pw.BigIntegerField(null=True)

        class Meta:
            table_name = "cost_month_charge"
            primary_key = pw.CompositeKey(*ROLLUP_KEYS[table_name])
            without_rowid = rowless

    class CostWeekCharge(Base):
        """Week cube by charge (ISO weeks), summed from cost_day_charge: a year by service and week
        reads a few thousand rows instead of ~60k (2M store)."""

        week = pw.TextField()
        connection = pw.ForeignKeyField(Connection, on_delete="CASCADE", index=False)
        charge = pw.ForeignKeyField(Charge, index=False)
        currency = pw.TextField()
        amount_hi = pw.BigIntegerField()
        amount_lo = pw.BigIntegerField()
        qty_hi = pw.BigIntegerField(null=True)
        qty_lo = pw.BigIntegerField(null=True)

        class Meta:
            table_name = "cost_week_charge"
            primary_key = pw.CompositeKey(*ROLLUP_KEYS[table_name])
            without_rowid = rowless

    class CostDayProjectAll(Base):
        """The daily rollup by project summed across connections, from cost_day_project: a day-binned view
        by project over every connection, where each project id shows one name in every connection
        holding it (store/pivot.py groups by the id alone then), reads one row per day and id."""

        day = pw.DateField()
        week = pw.TextField()
        month = pw.TextField()
        project_id = pw.TextField()
        currency = pw.TextField()
        amount_hi = pw.BigIntegerField()
        amount_lo = pw.BigIntegerField()
        qty_hi = pw.BigIntegerField(null=True)
        qty_lo = pw.BigIntegerField(null=True)
        unit_min = pw.TextField(null=True)
        unit_max = pw.TextField(null=True)

        class Meta:
            table_name = "cost_day_project_all"
            primary_key = pw.CompositeKey(*ROLLUP_KEYS[table_name])
            without_rowid = rowless

    class CostDayChargeAll(Base):
        """The daily rollup by charge summed across connections, from cost_day_charge: a day-binned view by
        service, category ... over every connection (no workspace, no connection dimension or filter)
        reads one row per day and charge instead of one per connection too (10 connections: 10x fewer)."""

        day = pw.DateField()
        week = pw.TextField()
        month = pw.TextField()
        charge = pw.ForeignKeyField(Charge, index=False)
        currency = pw.TextField()
        amount_hi = pw.BigIntegerField()
        amount_lo = pw.BigIntegerField()
        qty_hi = pw.BigIntegerField(null=True)
        qty_lo = pw.BigIntegerField(null=True)

        class Meta:
            table_name = "cost_day_charge_all"
            primary_key = pw.CompositeKey(*ROLLUP_KEYS[table_name])
            without_rowid = rowless

    class CostMonthProject(Base):
        """Month cube by project, with its charges' least and greatest unit (see CostDayProject)."""

        month = pw.TextField()
        connection = pw.ForeignKeyField(Connection, on_delete="CASCADE", index=False)
        project_id = pw.TextField()
        currency = pw.TextField()
        amount_hi = pw.BigIntegerField()
        amount_lo = pw.BigIntegerField()
        qty_hi = pw.BigIntegerField(null=True)
        qty_lo = pw.BigIntegerField(null=True)
        unit_min = pw.TextField(null=True)
        unit_max = pw.TextField(null=True)

        class Meta:
            table_name = "cost_month_project"
            primary_key = pw.CompositeKey(*ROLLUP_KEYS[table_name])
            without_rowid = rowless

    class CostMonthKey(Base):
        """Month cube by API key and its project (since schema 14), with its charges' least and greatest unit."""

        month = pw.TextField()
        connection = pw.ForeignKeyField(Connection, on_delete="CASCADE", index=False)
        project_id = pw.TextField()
        api_key_id = pw.TextField()
        currency = pw.TextField()
        amount_hi = pw.BigIntegerField()
        amount_lo = pw.BigIntegerField()
        qty_hi = pw.BigIntegerField(null=True)
        qty_lo = pw.BigIntegerField(null=True)
        unit_min = pw.TextField(null=True)
        unit_max = pw.TextField(null=True)

        class Meta:
            table_name = "cost_month_key"
            primary_key = pw.CompositeKey(*ROLLUP_KEYS[table_name])
            without_rowid = rowless

    class CostPartKey(Base):
        """The rollup by API key and its project per part of a week within a month (schema 15): the days that
        ISO ``week`` and ``month`` share, Monday (or the 1st) to Sunday (or the month's last day), summed from
        cost_day_key. A month view by key reads the whole parts of its edge days from it (10M rows, project
        x API key over 31 days: six days of cost_day_key, 30k rows sorted, are one part of 5k rows)."""

        month = pw.TextField()
        week = pw.TextField()
        connection = pw.ForeignKeyField(Connection, on_delete="CASCADE", index=False)
        project_id = pw.TextField()
        api_key_id = pw.TextField()
        currency = pw.TextField()
        amount_hi = pw.BigIntegerField()
        amount_lo = pw.BigIntegerField()
        qty_hi = pw.BigIntegerField(null=True)
        qty_lo = pw.BigIntegerField(null=True)
        unit_min = pw.TextField(null=True)
        unit_max = pw.TextField(null=True)

        class Meta:
            table_name = "cost_part_key"
            primary_key = pw.CompositeKey(*ROLLUP_KEYS[table_name])
            without_rowid = rowless

    class SyncRun(Base):
        connection = pw.ForeignKeyField(Connection, on_delete="CASCADE")
        started_at = pw.DateTimeField()
        finished_at = pw.DateTimeField(null=True)
        window_start = pw.DateField(null=True)
        window_end = pw.DateField(null=True)
        pages = pw.IntegerField(default=0)
        rows = pw.IntegerField(default=0)
        outcome = pw.TextField(default="running")  # running | ok | failed | cancelled
        error = pw.TextField(null=True)

    class Reconciliation(Base):
        """A day whose grouped rows do not add up to the API's ungrouped total."""

        connection = pw.ForeignKeyField(Connection, on_delete="CASCADE")
        day = pw.DateField()
        currency = pw.TextField()
        grouped_total = pw.TextField()  # exact decimal strings
        ungrouped_total = pw.TextField()
        detected_at = pw.DateTimeField()

        class Meta:
            indexes = ((("connection", "day", "currency"), True),)

    class SavedView(Base):
        """A named report view: the report state as JSON (core.report_state.ReportState.to_dict)."""

        name = pw.TextField(unique=True)
        state = pw.TextField()
        updated_at = pw.DateTimeField()

    class Budget(Base):
        """A monthly USD budget: the total, a workspace, a connection, or a project by name (in one
        connection, or across all when ``connection`` is null). Deleted with its workspace/connection."""

        key = pw.TextField(unique=True)  # the target's identity: total | workspace:ID | connection:ID | ...
        scope = pw.TextField()  # total | workspace | connection | project
        workspace = pw.ForeignKeyField(Workspace, null=True, on_delete="CASCADE")
        connection = pw.ForeignKeyField(Connection, null=True, on_delete="CASCADE")
        project = pw.TextField(null=True)  # the project's displayed name (project scope)
        amount_cents = pw.BigIntegerField()  # a whole number of cents, exact
        updated_at = pw.DateTimeField()

    class Restatement(Base):
        """A stored day whose total for one dimension value changed when a sync re-read it."""

        connection = pw.ForeignKeyField(Connection, on_delete="CASCADE")
        day = pw.DateField()
        dimension = pw.TextField()  # "service"
        value = pw.TextField()
        currency = pw.TextField()
        old_total = pw.TextField()  # exact decimal strings
        new_total = pw.TextField()
        detected_at = pw.DateTimeField(index=True)

    class VirtualTag(Base):
        """A virtual tag: its ordered values and rules as JSON (core.tags.to_dict); store/tags.py."""

        name = pw.TextField(unique=True)
        position = pw.IntegerField()
        definition = pw.TextField()
        updated_at = pw.DateTimeField()

    class TagDay(Base):
        """A tag cube's rows (store/tag_cube.py): the daily cost of each value of a tag whose rules read the
        project (the key, charge dimensions), per connection, summed from cost_day_project (cost_day_key,
        cost_day_charge): a tag's view by day reads one row per day and value instead of one per day and
        project, with no CASE per row."""

        tag = pw.TextField()
        day = pw.DateField()
        connection = pw.ForeignKeyField(Connection, on_delete="CASCADE", index=False)
        value = pw.TextField()
        currency = pw.TextField()
        week = pw.TextField()
        month = pw.TextField()
        amount_hi = pw.BigIntegerField()
        amount_lo = pw.BigIntegerField()

        class Meta:
            table_name = "tag_day"
            primary_key = pw.CompositeKey("tag", "day", "connection", "value", "currency")
            without_rowid = rowless

    class TagMonth(Base):
        """A tag cube's month rows (store/tag_cube.py): each value of a tag per month, connection and charge,
        summed from cost_month (cost_month_charge for a tag by charge dimensions): a year of a tag by service reads a few thousand rows."""

        tag = pw.TextField()
        month = pw.TextField()
        connection = pw.ForeignKeyField(Connection, on_delete="CASCADE", index=False)
        value = pw.TextField()
        charge = pw.ForeignKeyField(Charge, index=False)
        currency = pw.TextField()
        amount_hi = pw.BigIntegerField()
        amount_lo = pw.BigIntegerField()

        class Meta:
            table_name = "tag_month"
            primary_key = pw.CompositeKey("tag", "month", "connection", "value", "charge", "currency")
            without_rowid = rowless

    class TagMonthProjectKey(Base):
        """A tag cube's month rows by project and key (store/tag_cube.py): each value of a tag whose rules
        read charge dimensions per month, connection, project and API key, summed from cost_month: a year
        of a tag by service x project reads a fifth of cost_month's rows, with no CASE per row."""

        tag = pw.TextField()
        month = pw.TextField()
        connection = pw.ForeignKeyField(Connection, on_delete="CASCADE", index=False)
        value = pw.TextField()
        project_id = pw.TextField()
        api_key_id = pw.TextField()
        currency = pw.TextField()
        amount_hi = pw.BigIntegerField()
        amount_lo = pw.BigIntegerField()

        class Meta:
            table_name = "tag_month_project_key"
            primary_key = pw.CompositeKey("tag", "month", "connection", "value", "project_id", "api_key_id",
                                          "currency")
            without_rowid = rowless

    class TagPartProjectKey(Base):
        """A tag cube's rows per part of a week within a month (as cost_part_key) by project and key, for a
        tag whose rules read charge dimensions, kept for the recent months only (store/tag_parts.py): the
        edge days of a view by such a tag and keys or projects (31 days: November from
        tag_month_project_key, October's last six days one part of this)."""

        tag = pw.TextField()
        month = pw.TextField()
        week = pw.TextField()
        connection = pw.ForeignKeyField(Connection, on_delete="CASCADE", index=False)
        value = pw.TextField()
        project_id = pw.TextField()
        api_key_id = pw.TextField()
        currency = pw.TextField()
        amount_hi = pw.BigIntegerField()
        amount_lo = pw.BigIntegerField()

        class Meta:
            table_name = "tag_part_project_key"
            primary_key = pw.CompositeKey("tag", "month", "week", "connection", "api_key_id", "value", "project_id",
                                          "currency")
            without_rowid = rowless

    class TagCube(Base):
        """Which tags have a cube, and the definition each was built from (its hash): a cube is read only
        while its tag is still defined the same way."""

        name = pw.TextField(primary_key=True)
        stamp = pw.TextField()

        class Meta:
            table_name = "tag_cube"

    return Models(
        Meta,
        Connection,
        Workspace,
        WorkspaceConnection,
        Project,
        ApiKey,
        Charge,
        Cost,
        SyncRun,
        Reconciliation,
        SavedView,
        Budget,
        Restatement,
        CostMonth,
        CostDayCharge,
        CostDayProject,
        CostDayKey,
        CostMonthCharge,
        CostMonthProject,
        CostMonthKey,
        CostWeekCharge,
        CostQuarter,
        CostPartKey,
        CostDayChargeAll,
        CostDayProjectAll,
        VirtualTag=VirtualTag,
        TagDay=TagDay,
        TagMonth=TagMonth,
        TagMonthProjectKey=TagMonthProjectKey,
        TagPartProjectKey=TagPartProjectKey,
        TagCube=TagCube,
    )

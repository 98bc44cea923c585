"""工作台 view: today's and this week's visits, due follow-ups, pipeline figures, pending sync."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain import messages
from app.domain.enums import Stage
from app.domain.errors import AppError
from app.domain.values import today
from app.storage.queries import dashboard as queries
from app.ui import strings, tasks
from app.ui.models.columns import DUE_SOON_COLOUR, MARK_COLOUR, OVERDUE_COLOUR
from app.ui.profile import Profile
from app.ui.views.base import View

EnterpriseRole = Qt.ItemDataRole.UserRole


class DashboardView(View):
    """A read-only overview; double-clicking a visit opens its enterprise.

    Signals:
        loaded(): new figures are on screen.
    """

    loaded = Signal()

    def __init__(self, profile: Profile, parent: QWidget | None = None) -> None:
        super().__init__(profile, parent)
        self.figures: queries.Dashboard | None = None
        self.is_loading = False
        self._generation = 0
        self._task: tasks.Task | None = None
        self.heading = QLabel(self)
        font = QFont(self.heading.font())
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.heading.setFont(font)
        self.pending = QLabel(self)
        self.today_list = self._list()
        self.week_list = self._list()
        self.overdue_list = self._list()
        self.soon_list = self._list()
        self.pipeline = QTableWidget(len(queries.PIPELINE) + 2, 3, self)
        self.pipeline.setHorizontalHeaderLabels(
            [strings.DASH_STAGE, strings.DASH_COUNT, strings.DASH_AMOUNT])
        self.pipeline.verticalHeader().hide()
        self.pipeline.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.pipeline.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.high_energy = QLabel(self)
        grid = QGridLayout()
        grid.addWidget(self._box(strings.DASH_TODAY, self.today_list), 0, 0)
        grid.addWidget(self._box(strings.DASH_WEEK, self.week_list), 0, 1)
        grid.addWidget(self._box(strings.DASH_OVERDUE, self.overdue_list), 1, 0)
        grid.addWidget(self._box(strings.DASH_DUE_SOON, self.soon_list), 1, 1)
        pipeline_box = self._box(strings.DASH_PIPELINE, self.pipeline)
        pipeline_box.layout().addWidget(self.high_energy)
        grid.addWidget(pipeline_box, 0, 2, 2, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(2, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.pending)
        layout.addLayout(grid, 1)

    def refresh(self) -> None:
        """Load the figures on the db lane; the window paints and stays responsive meanwhile."""
        self._generation += 1
        generation = self._generation
        self.is_loading = True
        if self.figures is None:
            self.pending.setText(strings.DASH_LOADING)

        def load(ctx: tasks.TaskContext) -> queries.Dashboard:
            return queries.load(ctx.conn, today())

        def done(fig: queries.Dashboard) -> None:
            if generation == self._generation:  # a newer refresh supersedes this one
                self.show_figures(fig)

        def failed(error: BaseException) -> None:
            self.is_loading = False
            if not isinstance(error, AppError):
                raise error
            self.pending.setText(messages.render_error(error))

        self._task = tasks.run_in_background(load, done, failed, lane="db",
                                             db_path=self.profile.db_path)

    def show_figures(self, fig: queries.Dashboard) -> None:
        self.figures = fig
        self.is_loading = False
        self.heading.setText(strings.dash_title(messages.format_date_cn(fig.today)))
        self.pending.setText(strings.pending_sync(fig.pending_sync))
        self._fill_visits(self.today_list, fig.visits_today, with_day=False)
        self._fill_visits(self.week_list, fig.visits_week, with_day=True)
        self._fill_follow_ups(self.overdue_list, fig.overdue, OVERDUE_COLOUR)
        self._fill_follow_ups(self.soon_list, fig.due_soon, DUE_SOON_COLOUR)
        total_count = total_amount = 0
        for row, figure in enumerate(fig.pipeline):
            self._cell(row, 0, messages.enum_label(Stage(figure.stage)))
            self._cell(row, 1, f"{figure.count:,}", right=True)
            self._cell(row, 2, messages.format_yi(figure.investment_wan), right=True)
            if figure.stage != Stage.TERMINATED.value:
                total_count += figure.count
                total_amount += figure.investment_wan
        last = len(fig.pipeline)
        self._cell(last, 0, strings.DASH_TOTAL, bold=True)
        self._cell(last, 1, f"{total_count:,}", right=True, bold=True)
        self._cell(last, 2, messages.format_yi(total_amount), right=True, bold=True)
        self.pipeline.setRowCount(last + 1)
        self.high_energy.setText(strings.high_energy_count(fig.high_energy_leads))
        self.high_energy.setStyleSheet(f"color: {MARK_COLOUR.name()};")
        self.loaded.emit()

    def pipeline_text(self, stage: Stage) -> tuple[str, str]:
        """(count, 亿元) as shown for a stage: what a person reads off the screen."""
        for row in range(self.pipeline.rowCount()):
            if self.pipeline.item(row, 0).text() == messages.enum_label(stage):
                return self.pipeline.item(row, 1).text(), self.pipeline.item(row, 2).text()
        raise KeyError(stage)

    def _cell(self, row: int, column: int, text: str, *, right: bool = False,
              bold: bool = False) -> None:
        item = QTableWidgetItem(text)
        if right:
            item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if bold:
            font = item.font()
            font.setBold(True)
            item.setFont(font)
        self.pipeline.setItem(row, column, item)

    def _list(self) -> QListWidget:
        widget = QListWidget(self)
        widget.setUniformItemSizes(True)
        widget.itemActivated.connect(self._on_list_item_activated)
        return widget

    def _box(self, title: str, widget: QWidget) -> QGroupBox:
        box = QGroupBox(title, self)
        layout = QVBoxLayout(box)
        layout.addWidget(widget)
        return box

    def _fill_visits(self, widget: QListWidget, visits: list[dict], *, with_day: bool) -> None:
        widget.clear()
        for v in visits:
            when = v["scheduled_at"].replace("T", " ") if with_day else v["scheduled_at"][11:16]
            item = QListWidgetItem(strings.visit_line(when, v["enterprise_name"] or "", v["place"]))
            item.setData(EnterpriseRole, v["enterprise_id"])
            widget.addItem(item)
        if not visits:
            widget.addItem(strings.DASH_NONE)

    def _fill_follow_ups(self, widget: QListWidget, items: list[dict], colour) -> None:  # type: ignore[no-untyped-def]
        widget.clear()
        for f in items:
            item = QListWidgetItem(strings.follow_up_line(f["due_date"], f["content"], f["owner"]))
            item.setForeground(QBrush(colour))
            widget.addItem(item)
        if not items:
            widget.addItem(strings.DASH_NONE)

    def _on_list_item_activated(self, item: QListWidgetItem) -> None:
        enterprise_id = item.data(EnterpriseRole)
        if enterprise_id:
            self.open_enterprise_requested.emit(enterprise_id)

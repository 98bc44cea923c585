"""FieldDesk (招商外勤): desktop client for investment-promotion field teams."""

__version__ = "0.1.0"
